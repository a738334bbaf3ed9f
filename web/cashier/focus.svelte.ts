/**
 * Where the cashier's next action is. The till asks for one place at a time (after enrolment the
 * camera button, after a scan the voucher, after a refusal its "Next voucher", after Collect the
 * receipt's "Next voucher", after either of those the Reference field); the element that carries
 * that place takes focus as soon as it is on the page, once per request.
 */
import type { Attachment } from 'svelte/attachments';

export type FocusTarget = 'camera' | 'counter' | 'next' | 'reference';

export class FocusRequest {
  private wanted = $state<FocusTarget | null>(null);

  /** Asks for `target`; an element marked with `at(target)` takes focus when it is (or next is) on the page. */
  move(target: FocusTarget): void {
    this.wanted = target;
  }

  /** `{@attach focus.at('next')}` on the element that is that place. */
  at(target: FocusTarget): Attachment<HTMLElement> {
    return (element) => {
      if (this.wanted !== target) return;
      this.wanted = null;
      // After this update is on screen: a focus() during it would be undone by the next one.
      queueMicrotask(() => element.focus({ preventScroll: false }));
    };
  }
}
