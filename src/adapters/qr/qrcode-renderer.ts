import QRCode from 'qrcode';
import type { QrRenderer } from '../../application/ports/qr-renderer.ts';

/** QR codes from the `qrcode` package, as PNG data URL and SVG. */
export class QrcodeRenderer implements QrRenderer {
  async render(text: string): Promise<{ pngDataUrl: string; svg: string }> {
    const [pngDataUrl, svg] = await Promise.all([
      QRCode.toDataURL(text, { errorCorrectionLevel: 'M', margin: 2, width: 240 }),
      QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }),
    ]);
    return { pngDataUrl, svg };
  }
}
