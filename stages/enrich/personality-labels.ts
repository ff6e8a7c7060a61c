/**
 * The 16 music personalities: one letter per axis, high or low against the
 * model's cut (personality-model.ts). Order of letters: discovery (E explorer /
 * F familiar), loyalty (L loyal / V variety), timelessness (T timeless / N now),
 * commonality (C common ground / U unique).
 */
export const AXIS_LETTERS = [['E', 'F'], ['L', 'V'], ['T', 'N'], ['C', 'U']] as const;

export const PERSONALITIES: Readonly<Record<string, { readonly label: string; readonly description: string }>> = {
  ELTC: { label: 'The Archivist', description: 'You dig up classics everyone knows and keep them on repeat with a few artists you trust.' },
  ELTU: { label: 'The Collector', description: 'You hunt down rare older records and stay devoted to the artists you find.' },
  ELNC: { label: 'The Trendsetter', description: 'You find this year’s big sounds early and commit to a handful of favourites.' },
  ELNU: { label: 'The Scout', description: 'You find new, little-known artists and become their most loyal fan.' },
  EVTC: { label: 'The Time Traveler', description: 'You roam across decades of well-loved music, never staying in one place long.' },
  EVTU: { label: 'The Crate Digger', description: 'You wander through deep cuts from every era, always looking for the next find.' },
  EVNC: { label: 'The Voyager', description: 'You sample everything new and popular, a different artist every day.' },
  EVNU: { label: 'The Adventurer', description: 'You chase fresh, niche sounds across many artists, far from the charts.' },
  FLTC: { label: 'The Devotee', description: 'You return to timeless favourites that the whole world knows by heart.' },
  FLTU: { label: 'The Keeper', description: 'You guard a small circle of older, lesser-known artists you have loved for years.' },
  FLNC: { label: 'The Loyalist', description: 'You stick with the popular artists of today that you already love.' },
  FLNU: { label: 'The Specialist', description: 'You know a few current niche artists inside out and play them on repeat.' },
  FVTC: { label: 'The Replayer', description: 'You spread your time over well-known classics you already know.' },
  FVTU: { label: 'The Alchemist', description: 'You mix many familiar, older, off-the-radar artists into your own blend.' },
  FVNC: { label: 'The Mainstreamer', description: 'You keep up with the current sound, across many artists you already know.' },
  FVNU: { label: 'The Mixologist', description: 'You blend many familiar, current but unusual artists into your rotation.' },
};
