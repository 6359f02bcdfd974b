/**
 * Uploads. POST streams the request body (the raw file bytes; its name percent-encoded in X-File-Name)
 * straight into a staged object — never buffered, so the server's memory does not grow with the file —
 * then previews it. GET lists uploads waiting to be committed (or the ones named by ?id=…).
 */
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { appLake } from '@/components/server-context';
import { json, withUser } from '@/components/api/respond';
import { KeystoneError } from '@/lib/errors';
import { decodeFileNameHeader } from '@/lib/uploads/names';
import { getUploads, listPendingUploads, receiveUpload } from '@/lib/uploads/uploads';

export const dynamic = 'force-dynamic';

export async function POST(request: Request) {
  return withUser('engineer', 'upload', async (user) => {
    // Browsers send Origin on cross-site POSTs; the session cookie is SameSite=Lax, this is a second lock.
    const origin = request.headers.get('origin');
    if (origin !== null) {
      const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
      let same = false;
      try {
        same = new URL(origin).host === host;
      } catch {
        /* "null" or garbage: not ours */
      }
      if (!same) throw new KeystoneError('forbidden:origin', 'Uploads are accepted only from the console’s own pages.');
    }
    const fileName = decodeFileNameHeader(request.headers.get('x-file-name'));
    const length = request.headers.get('content-length');
    const expectedBytes = length === null ? undefined : Number(length);
    if (expectedBytes !== undefined && !(Number.isSafeInteger(expectedBytes) && expectedBytes >= 0)) {
      throw new KeystoneError('bad_request:content_length', 'The Content-Length header is not a byte count.');
    }
    const body = request.body ? Readable.fromWeb(request.body as unknown as NodeReadableStream<Uint8Array>, { highWaterMark: 1 << 16 }) : Readable.from([]);
    const ctx = await appLake();
    const upload = await receiveUpload(ctx, { fileName, body, ...(expectedBytes !== undefined ? { expectedBytes } : {}), userId: user.id });
    return json({ upload }, 201);
  });
}

export async function GET(request: Request) {
  return withUser('analyst', 'list uploads', async () => {
    const ctx = await appLake();
    const ids = new URL(request.url).searchParams.getAll('id');
    return json({ uploads: ids.length > 0 ? await getUploads(ctx.catalog.db, ids.slice(0, 200)) : await listPendingUploads(ctx.catalog.db) });
  });
}
