/** Renders an otpauth URI as a QR code. */
export interface QrRenderer {
  /** A PNG data URL and an SVG document of the same code. */
  render(text: string): Promise<{ pngDataUrl: string; svg: string }>;
}
