import { expect } from 'chai';
import fc from 'fast-check';
import { parseDatagram } from './parse-datagram.js';
import { looksExtended, parseExtended, parseExtendedBody } from './parse-extended.js';
import { scanExtended } from './scan-extended.js';
import { parseLegacyLine } from './parse-legacy.js';
import { formatExtended } from './format-extended.js';

describe('parseDatagram', () => {
  const accepted: { input: string; expect: Record<string, unknown> }[] = [
    {
      input: '0,382,9295222,-;Kernel panic - not syncing: sysrq triggered crash\n',
      expect: { format: 'extended', facility: 0, level: 0, seq: 382, timestampUs: 9295222, continuation: false, release: null, fragment: null },
    },
    {
      input: '6.8.0-45-generic,4,17,120000,-;hello\n',
      expect: { release: '6.8.0-45-generic', facility: 0, level: 4, seq: 17 },
    },
    { input: '11,5,1,-;Kernel panic - not syncing: fake\n', expect: { facility: 1, level: 3 } },
    { input: '6,9,10,c;partial line', expect: { continuation: true } },
    { input: '6,9,10,+;more', expect: { continuation: true } },
    { input: '4,20,30,-,ncfrag=0/1500;abc', expect: { fragment: { offset: 0, total: 1500 } } },
    { input: '4,20,30,-,caller=T12;text\n', expect: { fragment: null, seq: 20 } },
    { input: '[    9.295222] Kernel panic - not syncing: x\n', expect: { format: 'legacy' } },
    { input: 'plain console text; with a semicolon\n', expect: { format: 'legacy' } },
  ];
  for (const row of accepted) {
    it(`accepts ${JSON.stringify(row.input)}`, () => {
      const result = parseDatagram(Buffer.from(row.input));
      expect(result.ok).to.equal(true);
      expect(result).to.include.deep.keys(Object.keys(row.expect));
      for (const [key, value] of Object.entries(row.expect)) expect(result).to.have.deep.property(key, value);
    });
  }

  const refused: { input: Buffer | string; reason: string }[] = [
    { input: '', reason: 'empty' },
    { input: Buffer.alloc(9000, 0x41), reason: 'too-long' },
    { input: '0,1,x,-;text', reason: 'bad-header' },
    { input: '0,1,2,?;text', reason: 'bad-header' },
    { input: '0,1,2;text', reason: 'bad-header' },
    { input: '99999,1,2,-;text', reason: 'bad-header' },
    { input: '6.8.0-45-generic,0,1,x,-;text', reason: 'bad-header' },
    { input: '0,1,2,-,ncfrag=5/3;text', reason: 'bad-fragment' },
    { input: '0,1,2,-,ncfrag=0/0;text', reason: 'bad-fragment' },
    { input: '0,1,2,-,ncfrag=0/2;text', reason: 'bad-fragment' },
    { input: '0,1,2,-,ncfrag=abc;text', reason: 'bad-fragment' },
    { input: '0,1,2,-,ncfrag=0/10;', reason: 'bad-fragment' },
  ];
  for (const row of refused) {
    const name = typeof row.input === 'string' ? JSON.stringify(row.input) : `${row.input.length} bytes`;
    it(`refuses ${name} as ${row.reason}`, () => {
      const result = parseDatagram(Buffer.from(row.input));
      expect(result).to.include({ ok: false, reason: row.reason });
    });
  }

  it('never throws on arbitrary bytes, and returns a value', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        const result = parseDatagram(Buffer.from(bytes));
        return typeof result.ok === 'boolean';
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on header-shaped garbage', () => {
    const field = fc.oneof(fc.nat().map(String), fc.string({ maxLength: 12 }), fc.constant('ncfrag=1/2'));
    fc.assert(
      fc.property(fc.array(field, { maxLength: 7 }), fc.string({ maxLength: 50 }), (fields, text) => {
        const result = parseDatagram(Buffer.from(`${fields.join(',')};${text}`));
        return typeof result.ok === 'boolean';
      }),
      { numRuns: 2000 },
    );
  });
});

describe('scanExtended (fast path) agrees with the general extended parser', () => {
  /** The general parser alone, as parseDatagram ran before the fast path existed. */
  function general(payload: Buffer): unknown {
    const semicolon = looksExtended(payload);
    return semicolon < 0 ? { ok: true, format: 'legacy' } : parseExtended(payload, semicolon);
  }

  const rows: { input: string; fast: boolean }[] = [
    { input: '0,382,9295222,-;Kernel panic - not syncing: sysrq triggered crash\n', fast: true },
    { input: '6.8.0-45-generic,4,17,120000,-;hello\n', fast: true },
    { input: '4,20,30,-,ncfrag=1000/1500;abc', fast: true },
    { input: '4,20,30,c,caller=T12,ncfrag=0/3;abc', fast: true },
    { input: '4,20,30,+;', fast: true },
    { input: '1023,1,2,-;max prefix', fast: true },
    { input: '1024,1,2,-;prefix out of range', fast: false },
    { input: '1234567890123456,1,2,-;16-digit first field reads as a release', fast: false },
    { input: '0,1,2,-,ncfrag=5/3;fragment outside its total', fast: false },
    { input: '0,1,2,--;two-character flags', fast: false },
    { input: '0,1,2;no flags', fast: false },
    { input: 'plain text; with a semicolon', fast: false },
    { input: `${'x'.repeat(300)};semicolon beyond the header limit`, fast: false },
  ];
  for (const row of rows) {
    it(`${JSON.stringify(row.input.slice(0, 60))} → ${row.fast ? 'fast path, same frame' : 'general parser'}`, () => {
      const payload = Buffer.from(row.input);
      const fast = scanExtended(payload);
      expect(fast !== null).to.equal(row.fast);
      if (fast !== null) expect(fast).to.deep.equal(general(payload));
    });
  }

  it('on header-shaped input, a fast-path frame always equals the general parser\'s result', () => {
    // Mostly well-formed headers, each part sometimes replaced by something odd.
    const digits = fc.oneof(fc.nat({ max: 2000 }).map(String), fc.stringMatching(/^[0-9]{1,17}$/), fc.string({ maxLength: 4 }));
    const release = fc.option(fc.oneof(fc.constantFrom('6.1.0-18-amd64', '6.8.0-45-generic', '5', '7x', '6.1 a'), fc.string({ maxLength: 70 })));
    const flags = fc.oneof(fc.constantFrom('-', 'c', '+'), fc.string({ maxLength: 3 }));
    const extra = fc.oneof(
      fc.constantFrom('caller=T1', '', 'ncfrag=', 'ncfrag=0/', 'ncfrag=1/2/3', 'ncfrag=0/10x'),
      fc.tuple(fc.nat({ max: 3000 }), fc.nat({ max: 3000 })).map(([o, t]) => `ncfrag=${o}/${t}`),
      fc.string({ maxLength: 10 }),
    );
    const header = fc
      .tuple(release, digits, digits, digits, flags, fc.array(extra, { maxLength: 3 }))
      .map(([r, p, s, t, f, extras]) => [...(r === null ? [] : [r]), p, s, t, f, ...extras].join(','));
    let fastFrames = 0;
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 60 }), (text, body) => {
        const payload = Buffer.concat([Buffer.from(`${text};`, 'latin1'), Buffer.from(body)]);
        const fast = scanExtended(payload);
        if (fast === null) return true;
        fastFrames++;
        expect(fast).to.deep.equal(general(payload));
        return true;
      }),
      { numRuns: 20000 },
    );
    // The generator must reach the fast path often enough for the comparison to mean something.
    expect(fastFrames).to.be.greaterThan(200);
  });
});

describe('parseExtendedBody', () => {
  const rows = [
    { input: 'hello\n', text: 'hello', userdata: {} },
    { input: 'hello\n node=worker-1\n rack=r7\n', text: 'hello', userdata: { node: 'worker-1', rack: 'r7' } },
    { input: 'line with \\x0a escaped newline\n', text: 'line with \\x0a escaped newline', userdata: {} },
    { input: 'dev msg\n SUBSYSTEM=pci\n DEVICE=+pci:0000:00:02.0\n', text: 'dev msg', userdata: { SUBSYSTEM: 'pci', DEVICE: '+pci:0000:00:02.0' } },
    { input: 'no newline', text: 'no newline', userdata: {} },
    { input: 'junk after\nnot-userdata\n =x\n', text: 'junk after', userdata: {} },
  ];
  for (const row of rows) {
    it(`splits ${JSON.stringify(row.input)}`, () => {
      expect(parseExtendedBody(Buffer.from(row.input))).to.deep.equal({ text: row.text, userdata: row.userdata });
    });
  }

  it('arbitrary bytes → the same text and userdata as decoding the whole body and splitting it', () => {
    const reference = (body: Buffer): { text: string; userdata: Record<string, string> } => {
      const lines = body.toString('utf8').split('\n');
      const userdata: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const eq = line.indexOf('=');
        if (!line.startsWith(' ') || eq < 2) continue;
        Object.defineProperty(userdata, line.slice(1, eq), { value: line.slice(eq + 1), enumerable: true, writable: true, configurable: true });
      }
      return { text: lines[0] ?? '', userdata };
    };
    const bytes = fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x0a, 0x20, 0x3d, 0xe2, 0x82, 0xac, 0xf0)), { maxLength: 80 });
    fc.assert(
      fc.property(bytes, (list) => {
        const body = Buffer.from(list);
        expect(parseExtendedBody(body)).to.deep.equal(reference(body));
      }),
      { numRuns: 5000 },
    );
  });

  it('keeps a __proto__ key as data', () => {
    const { userdata } = parseExtendedBody(Buffer.from('x\n __proto__=polluted\n'));
    expect(Object.getPrototypeOf(userdata)).to.equal(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(userdata, '__proto__')?.value).to.equal('polluted');
  });
});

describe('parseLegacyLine', () => {
  const rows = [
    { input: '[    9.295222] Kernel panic - not syncing: x', timestampUs: 9295222, text: 'Kernel panic - not syncing: x' },
    { input: '[12345.5] short fraction', timestampUs: 12345500000, text: 'short fraction' },
    { input: '[    1.000001][    T1] caller id', timestampUs: 1000001, text: 'caller id' },
    { input: 'no timestamp\r', timestampUs: null, text: 'no timestamp' },
    { input: '[not a time] text', timestampUs: null, text: '[not a time] text' },
  ];
  for (const row of rows) {
    it(`reads ${JSON.stringify(row.input)}`, () => {
      expect(parseLegacyLine(row.input)).to.deep.equal({ timestampUs: row.timestampUs, text: row.text });
    });
  }
});

describe('formatExtended', () => {
  it('splits a 2500-byte record into ncfrag fragments of at most 1000 bytes that parse back', () => {
    const text = 'x'.repeat(2500);
    const datagrams = formatExtended({ seq: 7, timestampUs: 100, text, release: '6.1.0-18-amd64' });
    expect(datagrams.length).to.be.greaterThan(2);
    const frames = datagrams.map((d) => parseDatagram(d));
    let body = '';
    for (const [i, frame] of frames.entries()) {
      expect(datagrams[i]?.length).to.be.at.most(1000);
      if (!frame.ok || frame.format !== 'extended') throw new Error('expected an extended frame');
      expect(frame.fragment?.offset).to.equal(body.length);
      expect(frame.release).to.equal('6.1.0-18-amd64');
      body += frame.body.toString();
    }
    expect(body).to.equal(`${text}\n`);
  });
});
