import type { StoryCard } from '../stages/package/story-card.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The public page behind a share link: the card and its headline numbers, from
 * the card's own content (story.json) — never the full document. The image's
 * load is recorded on <body data-card-width> (what the headless-browser test reads).
 */
export function sharePage(card: StoryCard, imageUrl: string): string {
  const h = card.hue;
  const list = (xs: readonly string[]) => xs.map((x) => `<li>${esc(x)}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>My ${card.year} Wrapped</title>
<meta property="og:title" content="My ${card.year} Wrapped"><meta property="og:image" content="${esc(imageUrl)}">
<style>
body{margin:0;font-family:system-ui,-apple-system,sans-serif;background:hsl(${h},60%,10%);color:#fff;display:flex;flex-wrap:wrap;gap:40px;justify-content:center;align-items:flex-start;padding:40px}
img{width:360px;height:640px;border-radius:24px;box-shadow:0 20px 60px rgba(0,0,0,.5)}
section{max-width:420px}h1{font-size:28px;letter-spacing:.1em;opacity:.8}.big{font-size:64px;font-weight:900;margin:0}
ol{font-size:20px;line-height:1.6;padding-left:1.2em}.tag{display:inline-block;background:rgba(255,255,255,.12);border-radius:12px;padding:8px 14px;margin:4px 4px 0 0}
</style></head>
<body data-card-width="0">
<img id="card" src="${esc(imageUrl)}" alt="Wrapped ${card.year} card" width="1080" height="1920">
<section>
<h1>WRAPPED ${card.year}</h1>
<p class="big" id="minutes">${card.minutes.toLocaleString('en-US')}</p><p>minutes of music</p>
<h2>Top artists</h2><ol id="artists">${list(card.top_artists)}</ol>
<h2>Top songs</h2><ol>${list(card.top_tracks.map((t) => `${t.title} — ${t.artist}`))}</ol>
<p>${card.top_genre ? `<span class="tag">${esc(card.top_genre)}</span>` : ''}${card.personality ? `<span class="tag">${esc(card.personality)}</span>` : ''}</p>
${card.headline_blurb ? `<p>${esc(card.headline_blurb)}</p>` : ''}
</section>
<script>const i=document.getElementById('card');const done=()=>{document.body.dataset.cardWidth=String(i.naturalWidth)};if(i.complete)done();else i.addEventListener('load',done);</script>
</body></html>
`;
}
