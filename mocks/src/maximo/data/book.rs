//! A book of records of one object structure: the generated base (a pure function of the
//! index) with an overlay of writes and churn on top, and the scans every query is built on.
//!
//! Base record `i` exists for `i < base_count` unless the generator leaves a hole there
//! (inventory: an item not stocked in a storeroom). Writes store the whole record in the
//! overlay under its index; creates take new indices after the base (or fill a hole); removed
//! records are remembered as tombstones. Memory grows with writes, never with the profile.
//!
//! Timed kinds (those with a change stamp) give every base record a creation instant, strictly
//! increasing with the index, and a last change at most `max_delay` later. So every base record
//! changed at or after `X` was created at or after `X - max_delay`, which a binary search
//! finds; [`ChangeOrder`] streams base records in `(change, index)` order from there with a
//! heap no larger than one `max_delay` window, and the overlay (sorted on demand, it is small)
//! is merged in. Scans by change stamp never touch older history.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap};

use super::super::schema::{OsDef, Record};
use super::super::value::Value;

/// Creation and last change of a base record, in epoch seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Timing {
    pub(crate) created: i64,
    pub(crate) last_change: i64,
}

/// The base records of one kind, as a function of `(seed, profile, index)`.
pub(crate) trait Generator: Send + Sync {
    fn os(&self) -> &'static OsDef;
    /// Base indices `0..base_count`, holes included.
    fn base_count(&self) -> u64;
    /// Whether base index `index` holds a record (not a hole).
    fn exists(&self, index: u64) -> bool {
        index < self.base_count()
    }
    /// The full base record (children included) at an index that exists.
    fn record(&self, index: u64) -> Record;
    /// Creation and last change, for kinds with a change stamp.
    fn timing(&self, index: u64) -> Option<Timing> {
        let _ = index;
        None
    }
    /// The longest time between a base record's creation and its last change (seconds).
    fn max_delay(&self) -> i64 {
        0
    }
    /// The base index of a record with these rest-id key values, if the base has one.
    fn base_index(&self, keys: &[String]) -> Option<u64>;
    /// The unique id of the record at `index` (base or created).
    fn unique_id(&self, index: u64) -> i64 {
        i64::try_from(index).map_or(i64::MAX, |i| i.saturating_add(1))
    }
    /// The index a unique id belongs to.
    fn index_of_unique_id(&self, id: i64) -> Option<u64> {
        u64::try_from(id).ok()?.checked_sub(1)
    }
    /// An attribute of a base record computed without generating the record, when cheap.
    fn light(&self, index: u64, attr: usize) -> Option<Value> {
        let _ = (index, attr);
        None
    }
}

/// Base and overlay of one kind.
pub(crate) struct Book<G> {
    pub(crate) generator: G,
    overlay: BTreeMap<u64, Record>,
    removed: BTreeSet<u64>,
    /// One past the highest index in use (base count plus records created after it).
    next_index: u64,
    /// Indices of records created by writes or churn, by their joined key (`BEDFORD/1234`).
    created_keys: HashMap<String, u64>,
}

/// A copy of a book's writable state, for all-or-nothing bulk requests.
#[derive(Clone, Debug)]
pub(crate) struct BookState {
    overlay: BTreeMap<u64, Record>,
    removed: BTreeSet<u64>,
    next_index: u64,
    created_keys: HashMap<String, u64>,
}

impl<G: Generator> Book<G> {
    pub(crate) fn new(generator: G) -> Self {
        let next_index = generator.base_count();
        Book {
            generator,
            overlay: BTreeMap::new(),
            removed: BTreeSet::new(),
            next_index,
            created_keys: HashMap::new(),
        }
    }

    pub(crate) fn checkpoint(&self) -> BookState {
        BookState {
            overlay: self.overlay.clone(),
            removed: self.removed.clone(),
            next_index: self.next_index,
            created_keys: self.created_keys.clone(),
        }
    }

    pub(crate) fn restore(&mut self, state: BookState) {
        self.overlay = state.overlay;
        self.removed = state.removed;
        self.next_index = state.next_index;
        self.created_keys = state.created_keys;
    }

    pub(crate) fn os(&self) -> &'static OsDef {
        self.generator.os()
    }

    /// One past the highest index in use.
    pub(crate) fn end(&self) -> u64 {
        self.next_index
    }

    /// Whether a record lives at `index` now.
    pub(crate) fn present(&self, index: u64) -> bool {
        if self.removed.contains(&index) {
            return false;
        }
        self.overlay.contains_key(&index) || self.generator.exists(index)
    }

    pub(crate) fn get(&self, index: u64) -> Option<Record> {
        if self.removed.contains(&index) {
            return None;
        }
        if let Some(record) = self.overlay.get(&index) {
            return Some(record.clone());
        }
        self.generator
            .exists(index)
            .then(|| self.generator.record(index))
    }

    /// The index of the record with these key values.
    pub(crate) fn find(&self, keys: &[String]) -> Option<u64> {
        let joined = keys.join("/");
        let index = match self.created_keys.get(&joined) {
            Some(index) => *index,
            None => self.generator.base_index(keys)?,
        };
        self.present(index).then_some(index)
    }

    pub(crate) fn find_unique_id(&self, id: i64) -> Option<u64> {
        let index = self.generator.index_of_unique_id(id)?;
        (index < self.next_index && self.present(index)).then_some(index)
    }

    /// Stores a changed record at its index.
    pub(crate) fn put(&mut self, index: u64, record: Record) {
        self.removed.remove(&index);
        self.overlay.insert(index, record);
    }

    /// A fresh index after every one in use.
    pub(crate) fn allocate(&mut self) -> u64 {
        let index = self.next_index;
        self.next_index += 1;
        index
    }

    /// Stores a record created under `keys` at `index` (from [`Book::allocate`] or a hole).
    pub(crate) fn insert_created(&mut self, index: u64, keys: &[String], record: Record) {
        self.created_keys.insert(keys.join("/"), index);
        self.next_index = self.next_index.max(index + 1);
        self.put(index, record);
    }

    /// Records written over the base or created, by index.
    pub(crate) fn overlay(&self) -> impl Iterator<Item = (&u64, &Record)> {
        self.overlay.iter()
    }

    pub(crate) fn is_written(&self, index: u64) -> bool {
        self.overlay.contains_key(&index)
    }

    pub(crate) fn is_removed(&self, index: u64) -> bool {
        self.removed.contains(&index)
    }

    pub(crate) fn remove(&mut self, index: u64) {
        self.overlay.remove(&index);
        self.removed.insert(index);
    }

    /// The change stamp of a record as stored (overlay) or generated (base timing).
    fn changed_at(&self, index: u64) -> Option<i64> {
        if let Some(record) = self.overlay.get(&index) {
            let attr = self.os().change_attr?;
            return record.get(attr).as_date();
        }
        self.generator.timing(index).map(|t| t.last_change)
    }

    /// Records in index order from `from`, skipping (without generating them) base records that
    /// cannot have changed at or after `since`. `visit` returns `false` to stop.
    pub(crate) fn scan_index(
        &self,
        from: u64,
        since: Option<i64>,
        visit: &mut dyn FnMut(u64, Record) -> bool,
    ) {
        let timed = self.os().change_attr.is_some();
        let mut index = from;
        if let (Some(at), true) = (since, timed) {
            index = index.max(self.first_candidate(at));
        }
        let base = self.generator.base_count();
        // Base indices below the first candidate can only matter through the overlay.
        for (overlay_index, record) in self.overlay.range(from..index) {
            if !self.stamp_before(record, since) && !visit(*overlay_index, record.clone()) {
                return;
            }
        }
        while index < self.next_index {
            let current = index;
            index += 1;
            if self.removed.contains(&current) {
                continue;
            }
            if let Some(record) = self.overlay.get(&current) {
                if self.stamp_before(record, since) {
                    continue;
                }
                if !visit(current, record.clone()) {
                    return;
                }
                continue;
            }
            if current >= base || !self.generator.exists(current) {
                if current >= base {
                    // Created indices without an overlay entry do not exist; jump to the next
                    // overlay entry.
                    match self.overlay.range(current..).next() {
                        Some((next, _)) => index = *next,
                        None => return,
                    }
                }
                continue;
            }
            if let (Some(at), Some(timing)) = (since, self.generator.timing(current))
                && timing.last_change < at
            {
                continue;
            }
            if !visit(current, self.generator.record(current)) {
                return;
            }
        }
    }

    fn stamp_before(&self, record: &Record, since: Option<i64>) -> bool {
        match (since, self.os().change_attr) {
            (Some(at), Some(attr)) => record.get(attr).as_date().is_some_and(|c| c < at),
            _ => false,
        }
    }

    /// The first base index whose last change can be at or after `at`.
    pub(crate) fn first_candidate(&self, at: i64) -> u64 {
        let target = at.saturating_sub(self.generator.max_delay());
        let (mut low, mut high) = (0, self.generator.base_count());
        while low < high {
            let middle = low + (high - low) / 2;
            match self.generator.timing(middle) {
                Some(timing) if timing.created < target => low = middle + 1,
                _ => high = middle,
            }
        }
        low
    }

    /// Every record in `(change stamp, index)` order from `since` (inclusive) on, for kinds
    /// with a change stamp. `visit` gets the stamp, the index and the record; `false` stops.
    pub(crate) fn scan_changes(
        &self,
        since: Option<i64>,
        visit: &mut dyn FnMut(i64, u64, Record) -> bool,
    ) {
        let mut written: Vec<(i64, u64)> = self
            .overlay
            .keys()
            .filter_map(|index| self.changed_at(*index).map(|at| (at, *index)))
            .filter(|(at, _)| since.is_none_or(|s| *at >= s))
            .collect();
        written.sort_unstable();
        let mut written = written.into_iter().peekable();
        let mut base = ChangeOrder::new(self, since)
            .filter(|(_, index)| !self.overlay.contains_key(index) && !self.removed.contains(index))
            .peekable();
        loop {
            let next = match (base.peek(), written.peek()) {
                (Some(b), Some(w)) if w < b => written.next(),
                (Some(_), _) => base.next(),
                (None, Some(_)) => written.next(),
                (None, None) => return,
            };
            let Some((at, index)) = next else { return };
            let Some(record) = self.get(index) else {
                continue;
            };
            if !visit(at, index, record) {
                return;
            }
        }
    }

    /// `(index, change stamp)` of every record changed within `[since, until]`, by index.
    pub(crate) fn changes(&self, since: Option<i64>, until: Option<i64>) -> Vec<(u64, i64)> {
        let within = |at: i64| since.is_none_or(|s| at >= s) && until.is_none_or(|u| at <= u);
        let start = since.map_or(0, |at| self.first_candidate(at));
        let mut changes = Vec::new();
        for index in start..self.generator.base_count() {
            if self.overlay.contains_key(&index)
                || self.removed.contains(&index)
                || !self.generator.exists(index)
            {
                continue;
            }
            if let Some(timing) = self.generator.timing(index)
                && within(timing.last_change)
            {
                changes.push((index, timing.last_change));
            }
        }
        for index in self.overlay.keys() {
            if let Some(at) = self.changed_at(*index)
                && within(at)
            {
                changes.push((*index, at));
            }
        }
        changes.sort_unstable();
        changes
    }

    /// A record holding only `attrs` (cheap base values), or the full stored record for the
    /// overlay; `None` when nothing lives at `index` or a value is not cheap.
    pub(crate) fn light(&self, index: u64, attrs: &[usize]) -> Option<Record> {
        if self.removed.contains(&index) {
            return None;
        }
        if let Some(record) = self.overlay.get(&index) {
            return Some(record.clone());
        }
        if !self.generator.exists(index) {
            return None;
        }
        let mut record = self.os().mbo.blank();
        for attr in attrs {
            record.set(*attr, self.generator.light(index, *attr)?);
        }
        Some(record)
    }

    /// Whether every attribute in `attrs` is cheap for base records.
    pub(crate) fn all_light(&self, attrs: &[usize]) -> bool {
        let probe = (0..self.generator.base_count()).find(|i| self.generator.exists(*i));
        probe.is_none_or(|index| {
            attrs
                .iter()
                .all(|attr| self.generator.light(index, *attr).is_some())
        })
    }
}

/// Base records in `(last change, index)` order from `since` on, without an index: once the
/// next unread record was created at `c`, no unread record can have changed before `c`, so
/// every change read so far that is `<= c` is final and can be delivered.
pub(crate) struct ChangeOrder<'a, G> {
    book: &'a Book<G>,
    next: u64,
    peeked: Option<Timing>,
    heap: BinaryHeap<Reverse<(i64, u64)>>,
    since: Option<i64>,
}

impl<'a, G: Generator> ChangeOrder<'a, G> {
    pub(crate) fn new(book: &'a Book<G>, since: Option<i64>) -> Self {
        let next = since.map_or(0, |at| book.first_candidate(at));
        ChangeOrder {
            book,
            next,
            peeked: None,
            heap: BinaryHeap::new(),
            since,
        }
    }
}

impl<G: Generator> Iterator for ChangeOrder<'_, G> {
    type Item = (i64, u64);

    fn next(&mut self) -> Option<Self::Item> {
        let count = self.book.generator.base_count();
        loop {
            if self.peeked.is_none() && self.next < count {
                match self.book.generator.timing(self.next) {
                    Some(timing) => self.peeked = Some(timing),
                    None => return None,
                }
            }
            match (self.heap.peek(), self.peeked) {
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
