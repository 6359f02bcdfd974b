/**
 * Bad uploads get clear errors and leave nothing behind: an empty file, a binary file, a header with no
 * rows, names that climb folders or hide control characters, and an upload cut off half-way.
 */
import http from 'node:http';
import { expect, test } from '@playwright/test';
import { ADMIN, signIn } from './support/auth';

test('bad files are refused with a message a person can act on', async ({ page }, testInfo) => {
  await signIn(page, ADMIN.user, ADMIN.password);
  await page.goto('/ingest');
  await page.getByLabel('Choose files to upload').setInputFiles([
    { name: 'empty.csv', mimeType: 'text/csv', buffer: Buffer.alloc(0) },
    { name: 'holiday-photo.csv', mimeType: 'text/csv', buffer: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), Buffer.alloc(4000, 7)]) },
    { name: 'header-only.csv', mimeType: 'text/csv', buffer: Buffer.from('order_id,customer_id\n') },
  ]);
  const article = (name: string) => page.getByRole('article', { name: `Upload ${name}` });
  await expect(article('empty.csv').getByRole('alert')).toHaveText('empty.csv is empty (0 bytes); there is nothing to upload.');
  await expect(article('holiday-photo.csv').getByRole('alert')).toContainText('holiday-photo.csv looks like a binary file, not text');
  await expect(article('header-only.csv').getByRole('alert')).toContainText('has a header but no data rows');
  for (const name of ['empty.csv', 'holiday-photo.csv', 'header-only.csv']) await expect(article(name).getByTestId('upload-status')).toHaveText('failed');
  await expect(page.getByRole('button', { name: /Commit/ })).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('bad-uploads.png'), fullPage: true });

  // Another site cannot post an upload with the engineer's session.
  const crossSite = await page.request.post('/api/uploads', { headers: { 'x-file-name': 'x.csv', origin: 'http://evil.example' }, data: Buffer.from('a,b\n1,2\n') });
  expect(crossSite.status()).toBe(403);

  // Names are checked by the server, whatever a client sends.
  for (const [name, message] of [
    ['../../etc/passwd', /tries to reach a parent folder/],
    ['..\\..\\windows\\win.ini', /tries to reach a parent folder/],
    ['report\u0007.csv', /control character U\+0007/],
    ['invoice\u202Evsc.exe', /text-direction character U\+202E/],
  ] as const) {
    const r = await page.request.post('/api/uploads', { headers: { 'x-file-name': encodeURIComponent(name), 'content-type': 'application/octet-stream' }, data: Buffer.from('a,b\n1,2\n') });
    expect(r.status(), name).toBe(400);
    expect((await r.json()).error, name).toMatch(message);
  }
});

test('an upload cut off half-way leaves nothing visible', async ({ page, baseURL }) => {
  await signIn(page, ADMIN.user, ADMIN.password);
  const session = (await page.context().cookies()).find((c) => c.name === 'ks_session')!;
  const url = new URL('/api/uploads', baseURL);
  const total = 8 * 1024 * 1024;
  await new Promise<void>((resolve) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { cookie: `ks_session=${session.value}`, 'x-file-name': 'cut-off.csv', 'content-length': total, 'content-type': 'application/octet-stream' } });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    const chunk = Buffer.from('order_id,customer_id\n' + 'abc,def\n'.repeat(8192));
    let sent = 0;
    const pump = () => {
      while (sent < total / 2) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      setTimeout(() => req.destroy(), 300);
    };
    pump();
  });
  // The server noticed: the upload is recorded as failed, nothing waits to be committed.
  await expect
    .poll(async () => ((await (await page.request.get('/api/uploads')).json()) as { uploads: { fileName: string }[] }).uploads.map((u) => u.fileName))
    .not.toContain('cut-off.csv');
  await page.goto('/ingest');
  await expect(page.getByRole('heading', { name: 'Ingest' })).toBeVisible();
  await expect(page.getByRole('article', { name: 'Upload cut-off.csv' })).toHaveCount(0);
});

test('a generic file uploaded twice makes two versions; an engineer restores the first', async ({ page }, testInfo) => {
  await signIn(page, ADMIN.user, ADMIN.password);
  for (const [i, content] of ['sensor,reading\nA,1.5\nB,2.5\n', 'sensor,reading\nA,1.5\nB,2.5\nC,3.5\n'].entries()) {
    await page.goto('/ingest');
    await page.getByLabel('Choose files to upload').setInputFiles({ name: 'Sensor Readings.csv', mimeType: 'text/csv', buffer: Buffer.from(content) });
    const article = page.getByRole('article', { name: 'Upload Sensor Readings.csv' }).last();
    await expect(article.getByTestId('upload-status')).toHaveText('received');
    await expect(article.getByLabel('Dataset for Sensor Readings.csv')).toHaveValue('sensor_readings');
    await expect(article.getByRole('table', { name: 'Preview of Sensor Readings.csv' })).toContainText('reading double');
    await page.getByRole('button', { name: /Commit 1 upload to bronze/ }).click();
    await expect(page.getByTestId('commit-status')).toContainText('succeeded', { timeout: 60_000 });
    await expect(article).toContainText(`ingested into bronze.sensor_readings: ${i + 2} rows`);
  }
  await page.goto('/datasets/bronze/sensor_readings');
  const versions = page.getByRole('table', { name: 'Versions' });
  await expect(versions.getByRole('row')).toHaveCount(3);
  await expect(page.getByTestId('dataset-rows')).toHaveText('5');
  page.once('dialog', (d) => void d.accept());
  await versions.getByRole('button', { name: 'Restore version 1' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'version 1 is current again' })).toContainText('bronze.sensor_readings: version 1 is current again, as version 3 (2 rows).');
  await expect(versions.getByRole('row')).toHaveCount(4);
  await expect(versions.getByRole('row').nth(1)).toContainText('restore of v1');
  await expect(page.getByTestId('dataset-rows')).toHaveText('2');
  await page.screenshot({ path: testInfo.outputPath('dataset-restored.png'), fullPage: true });
});
