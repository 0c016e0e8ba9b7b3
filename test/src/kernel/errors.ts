// Typed errors of the real-kernel test bed. Callers branch on `code`.

export type KernelTestBedErrorCode =
  | 'MISSING_PREREQUISITE'
  | 'KERNEL_NOT_IN_ARCHIVE'
  | 'COMMAND_FAILED'
  | 'BOOT_FAILED'
  | 'GUEST_GONE'
  | 'TIMEOUT';

export class KernelTestBedError extends Error {
  readonly code: KernelTestBedErrorCode;

  constructor(code: KernelTestBedErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KernelTestBedError';
    this.code = code;
  }
}
