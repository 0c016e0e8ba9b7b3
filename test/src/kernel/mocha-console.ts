// Attaches a guest's serial console to failing tests: registers a mocha afterEach hook that prints the
// console's last lines when the test just run has failed. Call it inside a describe block.
export function consoleOnFailure(getConsole: () => string | null, lines = 80): void {
  afterEach(function () {
    if (this.currentTest?.state !== 'failed') return;
    const text = getConsole();
    if (text === null) return;
    const tail = text.split('\n').slice(-lines).join('\n');
    console.error(`--- guest serial console (last ${lines} lines) ---\n${tail}\n--- end of console ---`);
  });
}
