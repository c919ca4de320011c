import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { canaryYaml, useCliFixture } from '../control/cli-harness';

/**
 * `psarn catalog --html` opened in a real browser: Debian's headless Chromium (`.ci/run` installs
 * it) loads the page from disk, and the test reads the DOM Chromium built: every psARN must be
 * drawn as an SVG text node of the route map, and the hostile strings a route file may carry must
 * be text on the page, never elements.
 */
const CHROMIUM = '/usr/bin/chromium';
const run = promisify(execFile);
/** A Chromium that hangs is killed before jest's 60 s test timeout, so none outlives the test. */
const KILL_AFTER = { timeout: 40_000, killSignal: 'SIGKILL' } as const;
const cli = useCliFixture();

const PATHS = ['/event/newUser', '/event/userSignedUp', '/email/send', '/event/orderPlaced'];
const HOSTILE_DESCRIPTION = `<script>document.title='owned'</script><img src=x onerror="alert(1)"> "quoted" & 'single'`;
const HOSTILE_OWNER = '</td><script>alert(2)</script>';

function yamlString(text: string): string {
  return JSON.stringify(text);
}

const ROUTES = {
  'new-user.yml': canaryYaml(
    'newUser',
    90,
    10,
    [
      `description: ${yamlString(HOSTILE_DESCRIPTION)}`,
      `owner: ${yamlString(HOSTILE_OWNER)}`,
      'labels:',
      `  note: ${yamlString('<b>bold</b>')}`,
      'fanout:',
      '  - arn: arn:aws:sns:${region}:${account}:audit',
      'park:',
      '  queue: arn:aws:sqs:${region}:${account}:newUser-holding',
    ].join('\n'),
  ),
  'aliases.yml': [
    'psarn: arn:aws:psarns:${region}:${account}:/event/userSignedUp',
    'targets:',
    '  - arn: arn:aws:psarns:${region}:${account}:/event/newUser',
    '',
  ].join('\n'),
  'email.yml': [
    'psarn: arn:aws:psarns:${region}:${account}:/email/send',
    'owner: team-mail',
    'targets:',
    '  - arn: arn:aws:sqs:${region}:${account}:email',
    '',
  ].join('\n'),
  'orders.yml': canaryYaml('orderPlaced', 1, 2, 'owner: team-orders'),
};

/** Headless Chromium with nothing that reaches the network or a profile outside `profile`. */
function chromiumArgs(profile: string, ...extra: string[]): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
    `--user-data-dir=${profile}`,
    ...extra,
  ];
}

/** Text of every SVG `<text>` element in a DOM dump, entities decoded. */
function svgTexts(dom: string): string[] {
  const svg = dom.slice(dom.indexOf('<svg'), dom.indexOf('</svg>'));
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => decode(m[1] as string));
}

function decode(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('psarn catalog --html in headless Chromium', () => {
  let work: string | undefined;
  let rendered: Promise<{ page: string; dom: string }> | undefined;

  /**
   * Apply the routes, write the page and let Chromium load it, once for the file: the fixture gives
   * each test a fresh table, but the page and the DOM the tests read are the same.
   */
  function render(): Promise<{ page: string; dom: string }> {
    rendered ??= (async () => {
      if (!existsSync(CHROMIUM)) {
        throw new Error(`${CHROMIUM} is missing: .ci/run installs it (apt-get install -y chromium)`);
      }
      work = await mkdtemp(path.join(tmpdir(), 'psarn-catalog-html-'));
      await cli.dir.write(ROUTES);
      expect((await cli.run('apply', '--yes')).code).toBe(0);
      const page = path.join(work, 'catalog.html');
      expect(await cli.run('catalog', '--html', page)).toMatchObject({ code: 0, stderr: '' });
      const { stdout } = await run(
        CHROMIUM,
        chromiumArgs(path.join(work, 'profile'), '--dump-dom', `file://${page}`),
        { ...KILL_AFTER, maxBuffer: 32 * 1024 * 1024 },
      );
      return { page, dom: stdout };
    })();
    return rendered;
  }

  afterAll(async () => {
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  it('draws every psARN of the stage in the route map, with the split shares on the edges', async () => {
    const { dom } = await render();
    const texts = svgTexts(dom);
    for (const p of PATHS) expect(texts).toContain(p);
    expect(texts).toEqual(expect.arrayContaining(['90%', '10%', '33.33%', '66.67%', 'fanout', 'alias 100%']));
    expect(texts).toContain('park (standby)');
  });

  it('lists every route in the table with its owner, targets and contract', async () => {
    const { dom } = await render();
    const rows = [...dom.matchAll(/<tr>(.*?)<\/tr>/gs)].map((m) => m[1] as string).slice(1);
    expect(rows).toHaveLength(PATHS.length);
    const byPath = new Map(rows.map((r) => [/<span class="path">([^<]*)</.exec(r)?.[1], r]));
    expect([...byPath.keys()].sort()).toEqual([...PATHS].sort());
    expect(byPath.get('/email/send')).toContain('team-mail');
    expect(byPath.get('/event/orderPlaced')).toMatch(/split 33\.33%.*split 66\.67%/s);
    expect(byPath.get('/event/newUser')).toContain('park (standby)');
    for (const r of rows) expect(r).toContain('no schema');
  });

  it('shows hostile descriptions, owners and labels as text: no element, no script ran', async () => {
    const { dom } = await render();
    // Chromium serialises the DOM it built: an injected element would appear as a tag here.
    expect(dom).not.toMatch(/<script\b/i);
    expect(dom).not.toMatch(/<img\b/i);
    expect(dom).not.toMatch(/<b>/);
    expect(dom).toContain(
      '&lt;script&gt;document.title=\'owned\'&lt;/script&gt;&lt;img src=x onerror="alert(1)"&gt;',
    );
    expect(dom).toContain('&lt;/td&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(dom).toContain('note=&lt;b&gt;bold&lt;/b&gt;');
    expect(dom).toMatch(/<title>psarn catalog: stage dev<\/title>/);
  });

  it('renders to a screenshot of the page', async () => {
    const { page } = await render();
    const png = path.join(work as string, 'catalog.png');
    await run(
      CHROMIUM,
      chromiumArgs(
        path.join(work as string, 'profile'),
        `--screenshot=${png}`,
        '--window-size=1280,1400',
        '--hide-scrollbars',
        `file://${page}`,
      ),
      KILL_AFTER,
    );
    expect(pngSize(await readFile(png))).toEqual({ width: 1280, height: 1400 });
    // To look at it: PSARN_CATALOG_SCREENSHOT=/tmp/catalog.png npx jest test/cli/catalog-html.test.ts
    const keep = process.env['PSARN_CATALOG_SCREENSHOT'];
    if (keep !== undefined && keep !== '') await copyFile(png, keep);
  });
});
