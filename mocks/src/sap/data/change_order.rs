//! Base purchase orders in `(LastChangeDateTime, number)` order, streamed without an index.
//!
//! Order `i` is created at `created(i)` (strictly increasing in `i`) and last changed within
//! `[created(i), created(i) + max_delay]`. So once the next unread order was created at `c`,
//! no unread order can have changed before `c`: every change time already read that is `<= c`
//! is final and can be delivered. A min-heap of the change times read so far does the merge;
//! it holds at most the orders created within one `max_delay` window, and a page that starts
//! at `since` reads only from the first order created at `since - max_delay`. A million-order
//! profile is paged by change time in work proportional to that window plus the page, never by
//! scanning or sorting the whole history.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::{PurchaseOrderGenerator, Timing};
use crate::sap::odata::value::Ticks;

/// An iterator of `(last change, base index)` ascending, from `since` (inclusive) on.
pub(crate) struct ChangeOrder<'a> {
    generator: &'a PurchaseOrderGenerator,
    next: u64,
    peeked: Option<Timing>,
    heap: BinaryHeap<Reverse<(Ticks, u64)>>,
    since: Option<Ticks>,
}

impl<'a> ChangeOrder<'a> {
    pub(crate) fn new(generator: &'a PurchaseOrderGenerator, since: Option<Ticks>) -> Self {
        let next = since.map_or(0, |at| generator.first_candidate_changed_since(at));
        ChangeOrder {
            generator,
            next,
            peeked: None,
            heap: BinaryHeap::new(),
            since,
        }
    }
}

impl Iterator for ChangeOrder<'_> {
    type Item = (Ticks, u64);

    fn next(&mut self) -> Option<Self::Item> {
        let count = self.generator.count();
        loop {
            if self.peeked.is_none() && self.next < count {
                self.peeked = Some(self.generator.timing(self.next));
            }
            match (self.heap.peek(), self.peeked) {
                // Nothing unread can come before the smallest change read so far.
                (Some(Reverse((at, _))), Some(unread)) if *at <= unread.created => {
                    return self.heap.pop().map(|Reverse(entry)| entry);
                }
                (Some(_), None) => return self.heap.pop().map(|Reverse(entry)| entry),
                (_, Some(unread)) => {
                    if self.since.is_none_or(|at| unread.last_change >= at) {
                        self.heap.push(Reverse((unread.last_change, self.next)));
                    }
                    self.next += 1;
                    self.peeked = None;
                }
                (None, None) => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Profile;

    #[test]
    fn streams_every_change_in_order_from_any_start() {
        let profile = Profile::builtin("tiny").expect("tiny");
        let generator = PurchaseOrderGenerator::new(7, &profile);
        let mut all: Vec<(Ticks, u64)> = (0..generator.count())
            .map(|index| (generator.timing(index).last_change, index))
            .collect();
        all.sort_unstable();
        assert_eq!(ChangeOrder::new(&generator, None).collect::<Vec<_>>(), all);
        for probe in [0, 17, 200, all.len() - 1] {
            let since = all[probe].0;
            let expected: Vec<(Ticks, u64)> =
                all.iter().copied().filter(|(at, _)| *at >= since).collect();
            assert_eq!(
                ChangeOrder::new(&generator, Some(since)).collect::<Vec<_>>(),
                expected
            );
        }
        let after_all = Ticks(all[all.len() - 1].0.0 + 1);
        assert_eq!(ChangeOrder::new(&generator, Some(after_all)).count(), 0);
    }
}
