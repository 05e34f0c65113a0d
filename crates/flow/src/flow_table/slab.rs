//! A slab of entries threaded on a few intrusive recency lists (one per timeout class).
//!
//! Within one list every entry has the same timeout, and entries are moved to the front when
//! touched, so the tail is always the next to expire: expiry pops tails in O(1) and a packet
//! costs a handful of index writes, never a scan.

/// "No entry" link value.
const NIL: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Links {
    prev: u32,
    next: u32,
    list: u8,
}

#[derive(Debug)]
struct Slot<T> {
    links: Links,
    value: Option<T>,
}

#[derive(Clone, Copy, Debug)]
struct List {
    head: u32,
    tail: u32,
}

/// Slab with `LISTS` intrusive most-recent-first lists.
#[derive(Debug)]
pub(crate) struct ListSlab<T, const LISTS: usize> {
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
    lists: [List; LISTS],
    len: usize,
}

impl<T, const LISTS: usize> ListSlab<T, LISTS> {
    /// An empty slab.
    pub(crate) fn new() -> Self {
        ListSlab {
            slots: Vec::new(),
            free: Vec::new(),
            lists: [List {
                head: NIL,
                tail: NIL,
            }; LISTS],
            len: 0,
        }
    }

    /// Entries held.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Inserts at the front of `list`; returns the entry's index.
    pub(crate) fn insert(&mut self, value: T, list: usize) -> u32 {
        let slot = Slot {
            links: Links {
                prev: NIL,
                next: NIL,
                list: u8::try_from(list).unwrap_or(0),
            },
            value: Some(value),
        };
        let index = match self.free.pop() {
            Some(i) => {
                if let Some(s) = self.slots.get_mut(i as usize) {
                    *s = slot;
                }
                i
            }
            None => {
                let i = u32::try_from(self.slots.len()).unwrap_or(NIL);
                self.slots.push(slot);
                i
            }
        };
        self.len = self.len.saturating_add(1);
        self.link_front(index);
        index
    }

    /// Removes an entry and returns its value.
    pub(crate) fn remove(&mut self, index: u32) -> Option<T> {
        self.slots.get(index as usize)?.value.as_ref()?;
        self.unlink(index);
        let value = self.slots.get_mut(index as usize)?.value.take();
        self.free.push(index);
        self.len = self.len.saturating_sub(1);
        value
    }

    /// The value at `index`.
    pub(crate) fn get(&self, index: u32) -> Option<&T> {
        self.slots.get(index as usize)?.value.as_ref()
    }

    /// The value at `index`, mutably.
    pub(crate) fn get_mut(&mut self, index: u32) -> Option<&mut T> {
        self.slots.get_mut(index as usize)?.value.as_mut()
    }

    /// Moves an entry to the front of `list` (its own list or another).
    pub(crate) fn move_front(&mut self, index: u32, list: usize) {
        if self.get(index).is_none() {
            return;
        }
        self.unlink(index);
        if let Some(slot) = self.slots.get_mut(index as usize) {
            slot.links.list = u8::try_from(list).unwrap_or(0);
        }
        self.link_front(index);
    }

    /// The least recently moved entry of `list`.
    pub(crate) fn tail(&self, list: usize) -> Option<u32> {
        let tail = self.lists.get(list)?.tail;
        (tail != NIL).then_some(tail)
    }

    /// Indices of every live entry (in slot order).
    pub(crate) fn indices(&self) -> impl Iterator<Item = u32> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.value.is_some())
            .filter_map(|(i, _)| u32::try_from(i).ok())
    }

    fn link_front(&mut self, index: u32) {
        let Some(list_no) = self
            .slots
            .get(index as usize)
            .map(|s| s.links.list as usize)
        else {
            return;
        };
        let Some(list) = self.lists.get_mut(list_no) else {
            return;
        };
        let old_head = list.head;
        list.head = index;
        if list.tail == NIL {
            list.tail = index;
        }
        if let Some(slot) = self.slots.get_mut(index as usize) {
            slot.links.prev = NIL;
            slot.links.next = old_head;
        }
        if let Some(head) = self.slots.get_mut(old_head as usize) {
            head.links.prev = index;
        }
    }

    fn unlink(&mut self, index: u32) {
        let Some(links) = self.slots.get(index as usize).map(|s| s.links) else {
            return;
        };
        match self.slots.get_mut(links.prev as usize) {
            Some(prev) => prev.links.next = links.next,
            None => {
                if let Some(list) = self.lists.get_mut(links.list as usize) {
                    list.head = links.next;
                }
            }
        }
        match self.slots.get_mut(links.next as usize) {
            Some(next) => next.links.prev = links.prev,
            None => {
                if let Some(list) = self.lists.get_mut(links.list as usize) {
                    list.tail = links.prev;
                }
            }
        }
        if let Some(slot) = self.slots.get_mut(index as usize) {
            slot.links.prev = NIL;
            slot.links.next = NIL;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_keep_recency_order() {
        let mut slab: ListSlab<&str, 2> = ListSlab::new();
        let a = slab.insert("a", 0);
        let b = slab.insert("b", 0);
        let c = slab.insert("c", 1);
        assert_eq!(slab.tail(0), Some(a));
        slab.move_front(a, 0);
        assert_eq!(slab.tail(0), Some(b));
        slab.move_front(b, 1);
        assert_eq!(slab.tail(0), Some(a));
        assert_eq!(slab.tail(1), Some(c));
        assert_eq!(slab.remove(c), Some("c"));
        assert_eq!(slab.tail(1), Some(b));
        assert_eq!(slab.remove(c), None);
        let d = slab.insert("d", 1);
        assert_eq!(d, c, "freed slot reused");
        assert_eq!(slab.len(), 3);
        assert_eq!(slab.remove(a), Some("a"));
        assert_eq!(slab.tail(0), None);
        assert_eq!(slab.indices().count(), 2);
    }
}
