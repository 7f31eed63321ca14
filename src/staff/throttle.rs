//! Failed sign-ins, counted per account name and per client address, in memory: after a few failures each new try
//! must wait longer (1 s, 2 s, 4 s … up to a minute), and many failures lock the name or address out for 15
//! minutes. Names are counted whether or not an account has them, so the answers tell nothing about which exist.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Failures of one name allowed before its tries are slowed down.
const NAME_FREE_TRIES: u32 = 3;
/// Failures from one address allowed before its tries are slowed down (several staff may share an office's).
const ADDRESS_FREE_TRIES: u32 = 10;
/// The longest pause between two tries before a lockout.
const PAUSE_MAX: Duration = Duration::from_mins(1);
/// How long a lockout lasts; failures older than this are forgotten.
pub const LOCKOUT: Duration = Duration::from_mins(15);
/// Failures of one name that lock it out.
pub const NAME_LOCKOUT_AFTER: u32 = 10;
/// Failures from one address that lock it out (an address may try many names).
pub const ADDRESS_LOCKOUT_AFTER: u32 = 30;
/// Entries kept before old ones are forgotten, so a flood of names cannot fill memory.
const ENTRIES_MAX: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    until: Option<Instant>,
}

/// What a failure led to, for the server log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lockout {
    /// This account name is locked out.
    Name(String),
    /// This address is locked out.
    Address(IpAddr),
}

/// The counts of one server.
#[derive(Default)]
pub struct Throttle {
    names: Mutex<HashMap<String, Failures>>,
    addresses: Mutex<HashMap<IpAddr, Failures>>,
}

impl Throttle {
    /// How long a try for `name` from `address` must still wait (`None`: it may go ahead).
    pub fn wait(&self, name: &str, address: IpAddr, now: Instant) -> Option<Duration> {
        let name_wait = waiting(&self.names, &name.to_lowercase(), now);
        let address_wait = waiting(&self.addresses, &address, now);
        name_wait.into_iter().chain(address_wait).max()
    }

    /// Count a failed try; returns the lockouts it started.
    pub fn failed(&self, name: &str, address: IpAddr, now: Instant) -> Vec<Lockout> {
        let mut lockouts = Vec::new();
        if count(
            &self.names,
            name.to_lowercase(),
            now,
            (NAME_FREE_TRIES, NAME_LOCKOUT_AFTER),
        ) {
            lockouts.push(Lockout::Name(name.to_string()));
        }
        if count(
            &self.addresses,
            address,
            now,
            (ADDRESS_FREE_TRIES, ADDRESS_LOCKOUT_AFTER),
        ) {
            lockouts.push(Lockout::Address(address));
        }
        lockouts
    }

    /// A sign-in worked: forget the name's failures (the address keeps its count, as it may be trying many names).
    pub fn succeeded(&self, name: &str) {
        lock(&self.names).remove(&name.to_lowercase());
    }
}

fn lock<K>(map: &Mutex<HashMap<K, Failures>>) -> std::sync::MutexGuard<'_, HashMap<K, Failures>> {
    map.lock().unwrap_or_else(PoisonError::into_inner)
}

fn waiting<K: std::hash::Hash + Eq>(
    map: &Mutex<HashMap<K, Failures>>,
    key: &K,
    now: Instant,
) -> Option<Duration> {
    let until = lock(map).get(key)?.until?;
    (until > now).then(|| until - now)
}

/// Count one failure of `key`; true when it starts a lockout. Past `free` failures each try waits longer; at
/// `lockout_after` the key is locked out.
fn count<K: std::hash::Hash + Eq>(
    map: &Mutex<HashMap<K, Failures>>,
    key: K,
    now: Instant,
    (free, lockout_after): (u32, u32),
) -> bool {
    let mut map = lock(map);
    if map.len() >= ENTRIES_MAX {
        map.retain(|_, f| now.duration_since(f.last) < LOCKOUT);
        if map.len() >= ENTRIES_MAX {
            // Still full of recent failures: a flood. Forget the oldest half rather than grow.
            let mut lasts: Vec<Instant> = map.values().map(|f| f.last).collect();
            lasts.sort_unstable();
            let cut = lasts[lasts.len() / 2];
            map.retain(|_, f| f.last > cut);
        }
    }
    let entry = map.entry(key).or_insert(Failures {
        count: 0,
        last: now,
        until: None,
    });
    if now.duration_since(entry.last) >= LOCKOUT {
        entry.count = 0;
    }
    entry.count += 1;
    entry.last = now;
    if entry.count == lockout_after {
        entry.until = Some(now + LOCKOUT);
        return true;
    }
    if entry.count > free && entry.count < lockout_after {
        let pause = Duration::from_secs(1 << (entry.count - free - 1).min(10)).min(PAUSE_MAX);
        entry.until = Some(now + pause);
    } else if entry.count > lockout_after {
        entry.until = Some(now + LOCKOUT);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn pauses_grow_then_the_name_is_locked_out() {
        let throttle = Throttle::default();
        let (at, t0) = (ip("192.0.2.1"), Instant::now());
        let mut now = t0;
        let mut pauses = Vec::new();
        for _ in 0..NAME_LOCKOUT_AFTER - 1 {
            assert!(throttle.failed("Maria", at, now).is_empty());
            pauses.push(throttle.wait("maria", at, now).map_or(0, |d| d.as_secs()));
            now += PAUSE_MAX;
        }
        assert_eq!(pauses, [0, 0, 0, 1, 2, 4, 8, 16, 32]);
        assert_eq!(
            throttle.failed("maria", at, now),
            [Lockout::Name("maria".into())]
        );
        assert_eq!(
            throttle.wait("MARIA", ip("198.51.100.1"), now),
            Some(LOCKOUT)
        );
        assert_eq!(
            throttle.wait("sam", at, now),
            None,
            "ten failures from one address are free"
        );
        assert_eq!(
            throttle.wait("sam", ip("192.0.2.2"), now),
            None,
            "other names go on"
        );
        assert_eq!(
            throttle.wait("maria", ip("192.0.2.2"), now + LOCKOUT),
            None,
            "it ends"
        );
        throttle.succeeded("maria");
        assert_eq!(throttle.wait("maria", ip("192.0.2.2"), now), None);
    }

    #[test]
    fn an_address_trying_many_names_is_locked_out() {
        let throttle = Throttle::default();
        let (at, now) = (ip("203.0.113.7"), Instant::now());
        let mut lockouts = Vec::new();
        for n in 0..ADDRESS_LOCKOUT_AFTER {
            lockouts.extend(throttle.failed(&format!("name{n}"), at, now));
        }
        assert_eq!(lockouts, [Lockout::Address(at)]);
        assert_eq!(throttle.wait("anyone", at, now), Some(LOCKOUT));
        assert_eq!(throttle.wait("anyone", ip("203.0.113.8"), now), None);
    }

    #[test]
    fn a_failure_during_a_lockout_starts_it_again() {
        let throttle = Throttle::default();
        let (at, t0) = (ip("192.0.2.1"), Instant::now());
        for _ in 0..NAME_LOCKOUT_AFTER {
            let _ = throttle.failed("maria", at, t0);
        }
        let later = t0 + Duration::from_mins(5);
        assert!(
            throttle.failed("maria", at, later).is_empty(),
            "logged once"
        );
        assert_eq!(
            throttle.wait("maria", ip("192.0.2.2"), later),
            Some(LOCKOUT)
        );
    }

    #[test]
    fn old_failures_make_room_first() {
        let throttle = Throttle::default();
        let t0 = Instant::now();
        for n in 0..ENTRIES_MAX {
            let _ = throttle.failed(&format!("n{n}"), ip("192.0.2.9"), t0);
        }
        let _ = throttle.failed("late", ip("192.0.2.9"), t0 + LOCKOUT);
        let names = lock(&throttle.names);
        assert_eq!(names.len(), 1, "failures a lockout old are forgotten");
        assert!(names.contains_key("late"));
    }

    #[test]
    fn a_flood_of_names_stays_bounded() {
        let throttle = Throttle::default();
        let now = Instant::now();
        for n in 0..(ENTRIES_MAX * 2) {
            let _ = throttle.failed(
                &format!("n{n}"),
                ip("192.0.2.9"),
                now + Duration::from_millis(n as u64),
            );
        }
        let names = lock(&throttle.names);
        assert!(names.len() <= ENTRIES_MAX);
        assert!(
            names.len() >= ENTRIES_MAX / 2,
            "only the older half goes: {}",
            names.len()
        );
        assert!(
            names.contains_key(&format!("n{}", ENTRIES_MAX * 2 - 1)),
            "the newest stays"
        );
    }
}
