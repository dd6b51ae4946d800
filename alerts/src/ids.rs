//! Event ids: sequential per engine, so a replay gives the same ids every time.

use crate::event::EventId;

#[derive(Default)]
pub(crate) struct EventIds {
    next: u64,
}

impl EventIds {
    pub fn next(&mut self) -> EventId {
        self.next += 1;
        EventId(self.next)
    }
}
