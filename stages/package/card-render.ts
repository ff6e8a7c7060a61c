import { createRequire } from 'node:module';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { Resvg } from '@resvg/resvg-js';
import type { StoryCard } from './story-card.ts';

/** 1080×1920 (SPEC §5), drawn in an SVG template and rendered by resvg with Inter from an npm package: nothing is fetched. */
export const CARD_WIDTH = 1080;
export const CARD_HEIGHT = 1920;

const require = createRequire(import.meta.url);
const FONT_FILES = ['400Regular/Inter_400Regular.ttf', '700Bold/Inter_700Bold.ttf', '900Black/Inter_900Black.ttf'].map((f) => require.resolve(`@expo-google-fonts/inter/${f}`));

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
/** Cuts a label to about what fits on a line at the given size. */
const fit = (s: string, max: number) => (s.length <= max ? s : s.slice(0, max - 1).trimEnd() + '…');
const hsl = (h: number, s: number, l: number) => `hsl(${((h % 360) + 360) % 360},${s}%,${l}%)`;

/** The card as SVG: a gradient in the top genre's hue, minutes, top artists and songs, genre and personality. */
export function cardSvg(c: StoryCard): string {
  const h = c.hue;
  const rows = (items: readonly string[], y0: number, step: number, size: number, weight: number) =>
    items.map((t, i) => `<text x="96" y="${y0 + i * step}" font-size="${size}" font-weight="900" fill="${hsl(h + 30, 90, 72)}">${i + 1}</text><text x="156" y="${y0 + i * step}" font-size="${size}" font-weight="${weight}">${esc(t)}</text>`).join('');
  const tracks = c.top_tracks.map((t, i) =>
    `<text x="96" y="${1150 + i * 88}" font-size="44" font-weight="900" fill="${hsl(h + 30, 90, 72)}">${i + 1}</text>` +
    `<text x="156" y="${1150 + i * 88}" font-size="42" font-weight="700">${esc(fit(t.title, 32))}</text>` +
    `<text x="156" y="${1186 + i * 88}" font-size="28" fill-opacity="0.7">${esc(fit(t.artist, 44))}</text>`).join('');
  const minutes = c.minutes.toLocaleString('en-US');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${CARD_WIDTH}" height="${CARD_HEIGHT}" viewBox="0 0 ${CARD_WIDTH} ${CARD_HEIGHT}">
<defs>
<linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${hsl(h, 70, 16)}"/><stop offset="0.55" stop-color="${hsl(h + 25, 72, 30)}"/><stop offset="1" stop-color="${hsl(h + 55, 80, 46)}"/></linearGradient>
<radialGradient id="glow" cx="0.85" cy="0.12" r="0.6"><stop offset="0" stop-color="${hsl(h + 60, 95, 65)}" stop-opacity="0.55"/><stop offset="1" stop-color="${hsl(h + 60, 95, 65)}" stop-opacity="0"/></radialGradient>
</defs>
<rect width="100%" height="100%" fill="url(#bg)"/>
<rect width="100%" height="100%" fill="url(#glow)"/>
<circle cx="980" cy="1760" r="260" fill="none" stroke="${hsl(h + 40, 90, 70)}" stroke-opacity="0.18" stroke-width="36"/>
<circle cx="980" cy="1760" r="150" fill="none" stroke="${hsl(h + 40, 90, 70)}" stroke-opacity="0.12" stroke-width="24"/>
<g font-family="Inter" fill="#ffffff">
<text x="96" y="170" font-size="40" font-weight="700" letter-spacing="10" fill-opacity="0.85">WRAPPED ${c.year}</text>
<text x="96" y="370" font-size="${minutes.length > 7 ? 150 : 180}" font-weight="900" letter-spacing="-4">${minutes}</text>
<text x="96" y="440" font-size="44" font-weight="400" fill-opacity="0.85">minutes of music this year</text>
<text x="96" y="580" font-size="34" font-weight="700" letter-spacing="6" fill-opacity="0.7">TOP ARTISTS</text>
${rows(c.top_artists.map((a) => fit(a, 28)), 660, 74, 52, 700)}
<text x="96" y="1070" font-size="34" font-weight="700" letter-spacing="6" fill-opacity="0.7">TOP SONGS</text>
${tracks}
<rect x="96" y="1580" width="420" height="150" rx="28" fill="#000" fill-opacity="0.22"/>
<text x="130" y="1636" font-size="28" font-weight="700" letter-spacing="4" fill-opacity="0.7">TOP GENRE</text>
<text x="130" y="1694" font-size="42" font-weight="900">${esc(fit(c.top_genre ?? '—', 16))}</text>
<rect x="548" y="1580" width="436" height="150" rx="28" fill="#000" fill-opacity="0.22"/>
<text x="582" y="1636" font-size="28" font-weight="700" letter-spacing="4" fill-opacity="0.7">YOUR TYPE</text>
<text x="582" y="1694" font-size="42" font-weight="900">${esc(fit(c.personality ?? '—', 17))}</text>
${c.headline_blurb ? `<text x="96" y="1820" font-size="32" font-weight="700" fill-opacity="0.92">${esc(fit(c.headline_blurb, 56))}</text>` : ''}
</g>
</svg>`;
}

/**
 * resvg keeps each rendered pixmap (1080 × 1920 × 4 ≈ 8 MiB) in native memory
 * that V8 does not see; it is released by the wrapper's finalizer, which runs
 * only after a collection *and* a turn of the event loop. A worker rendering
 * cards in a loop therefore grew by ~8 MiB a card (measured: 9,909 cards, 9.3 GiB
 * peak RSS). Callers that render many cards await this every few cards
 * (a forced full collection, then a yield: a few ms against ~150 ms a card).
 */
export async function releaseRenderMemory(): Promise<void> {
  if (!collect) {
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  collect();
  await new Promise((r) => setImmediate(r));
}
let collect: (() => void) | null = null;

/** Renders the card to PNG bytes (resvg, system fonts off: the output does not depend on the host). */
export function renderCard(c: StoryCard): Uint8Array {
  const r = new Resvg(cardSvg(c), { font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: 'Inter' }, fitTo: { mode: 'original' } });
  return r.render().asPng();
}
