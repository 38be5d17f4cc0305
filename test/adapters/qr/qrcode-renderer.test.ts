import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { QrcodeRenderer } from '../../../src/adapters/qr/qrcode-renderer.ts';

const uri =
  'otpauth://totp/Second%20Factor:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Second%20Factor';
const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const prefix = 'data:image/png;base64,';

const decode = (dataUrl: string) => Buffer.from(dataUrl.slice(prefix.length), 'base64');

describe('QrcodeRenderer', () => {
  const renderer = new QrcodeRenderer();

  it('returns a PNG data URL whose bytes start with the PNG signature', async () => {
    const { pngDataUrl } = await renderer.render(uri);
    expect(pngDataUrl.startsWith(prefix)).toBe(true);
    expect(pngDataUrl.slice(prefix.length)).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const png = decode(pngDataUrl);
    expect(png.subarray(0, 8).equals(pngSignature)).toBe(true);
  });

  it('writes a well-formed IHDR chunk for a square 240-pixel image and ends with IEND', async () => {
    const png = decode((await renderer.render(uri)).pngDataUrl);
    expect(png.readUInt32BE(8)).toBe(13);
    expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    expect(width).toBe(height);
    expect(width).toBe(240);
    expect(png.readUInt32BE(29)).toBe(crc32(png.subarray(12, 29)));
    expect(png.subarray(-8, -4).toString('ascii')).toBe('IEND');
  });

  it('returns an SVG document of the same code', async () => {
    const { svg } = await renderer.render(uri);
    expect(svg).toMatch(/^<svg[\s>]/);
    expect(svg).toContain('</svg>');
    expect(svg).toContain('viewBox');
  });

  it('keeps the secret out of the rendered output as text', async () => {
    const { pngDataUrl, svg } = await renderer.render(uri);
    expect(svg).not.toContain('GEZDGNBVGY3TQOJQ');
    expect(decode(pngDataUrl).toString('latin1')).not.toContain('GEZDGNBVGY3TQOJQ');
  });

  it('renders different texts as different images', async () => {
    const [a, b] = await Promise.all([renderer.render(uri), renderer.render(`${uri}x`)]);
    expect(a.pngDataUrl).not.toBe(b.pngDataUrl);
    expect(a.svg).not.toBe(b.svg);
  });
});
