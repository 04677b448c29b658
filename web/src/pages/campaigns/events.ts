/** A campaign changed on one of the area's pages: the parts that count campaigns ask again. */
const EVENT = 'herald:campaigns-changed';

export function campaignsChanged(): void {
  window.dispatchEvent(new Event(EVENT));
}

export function onCampaignsChanged(listener: () => void): () => void {
  window.addEventListener(EVENT, listener);
  return () => window.removeEventListener(EVENT, listener);
}
