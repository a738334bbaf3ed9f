// The icon script uses a sliver of pngjs (shipped with qrcode); its types are not installed.
declare module 'pngjs' {
  export class PNG {
    constructor(options: { width: number; height: number });
    data: Buffer;
    static sync: { write(png: PNG): Buffer };
  }
}
