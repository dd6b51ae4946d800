//! NMEA feeds over the network: TCP listeners (receivers push to us), TCP clients
//! (we connect to a receiver or aggregator and reconnect with backoff) and UDP
//! listeners. Each connection decodes its own lines (its own fragment reassembly) and
//! hands batches to the live applier; a silent or misbehaving peer only ever costs its
//! own task.
//!
//! Every line is accounted for under the source's name in `/metrics`
//! (`tidewatch_nmea_lines_total{source,result}`): `accepted` (a whole message, counted on
//! its last line), `fragment` (an earlier line of a multi-sentence message), or the reason
//! it was rejected; `fragment_lost` counts stored fragments whose message never completed.

use super::{now_ms, Live, Position, PositionSource, Update, VesselStatic, WhenFull};
use serde::Deserialize;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tidewatch_nmea::{AisMessage, Decoded, Decoder, GnssSentence, Rejection};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream, UdpSocket};

/// Longest line kept; longer ones are dropped whole (counted `too_long`). NMEA allows 82
/// characters; tag blocks and receiver suffixes add some.
pub const MAX_LINE: usize = 1024;
/// Most updates handed over at once.
const BATCH: usize = 512;

/// One configured feed.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NmeaSourceConfig {
    /// Name in metrics and logs.
    pub name: String,
    /// Exactly one of these three says how the feed arrives.
    pub listen_tcp: Option<SocketAddr>,
    pub listen_udp: Option<SocketAddr>,
    /// `host:port` of a receiver or aggregator to connect to.
    pub connect_tcp: Option<String>,
    /// For GNSS terminals (`$BD…RMC`): the vessel id their fixes belong to; without it,
    /// the tag block's `s:` source, else the peer address, names the terminal.
    pub terminal_id: Option<String>,
    /// Seconds a TCP peer may stay silent before it is disconnected.
    #[serde(default = "default_idle_timeout")]
    pub idle_timeout_s: u64,
}

fn default_idle_timeout() -> u64 {
    300
}

impl NmeaSourceConfig {
    /// A source from a command-line flag (`--nmea-tcp ADDR` and friends).
    pub fn from_flag(kind: &str, value: &str) -> anyhow::Result<Self> {
        let mut source = NmeaSourceConfig {
            name: format!("{kind}:{value}"),
            listen_tcp: None,
            listen_udp: None,
            connect_tcp: None,
            terminal_id: None,
            idle_timeout_s: default_idle_timeout(),
        };
        let addr = || -> anyhow::Result<SocketAddr> {
            value
                .parse()
                .map_err(|e| anyhow::anyhow!("--nmea-{kind} {value:?}: {e}"))
        };
        match kind {
            "tcp" => source.listen_tcp = Some(addr()?),
            "udp" => source.listen_udp = Some(addr()?),
            "connect" => source.connect_tcp = Some(value.to_owned()),
            _ => anyhow::bail!("unknown NMEA source kind {kind}"),
        }
        Ok(source)
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        let n = [
            self.listen_tcp.is_some(),
            self.listen_udp.is_some(),
            self.connect_tcp.is_some(),
        ]
        .iter()
        .filter(|&&b| b)
        .count();
        if n != 1 {
            anyhow::bail!(
                "NMEA source {:?}: give exactly one of listen_tcp, listen_udp, connect_tcp",
                self.name
            );
        }
        Ok(())
    }
}

/// The addresses the listeners actually bound (port 0 resolves here), by source name.
#[derive(Debug, Clone, Default)]
pub struct BoundSources {
    pub tcp: Vec<(String, SocketAddr)>,
    pub udp: Vec<(String, SocketAddr)>,
}

/// Binds every listener and starts every feed task. Binding errors fail the start, so a
/// typo in an address is seen at once.
pub async fn start(live: &Arc<Live>, sources: &[NmeaSourceConfig]) -> anyhow::Result<BoundSources> {
    let mut bound = BoundSources::default();
    for source in sources {
        source.validate()?;
        let source = Arc::new(source.clone());
        if let Some(addr) = source.listen_tcp {
            let listener = TcpListener::bind(addr).await.map_err(|e| {
                anyhow::anyhow!(
                    "NMEA source {:?}: cannot listen on TCP {addr}: {e}",
                    source.name
                )
            })?;
            let local = listener.local_addr()?;
            tracing::info!(source = %source.name, "NMEA over TCP: listening on {local}");
            bound.tcp.push((source.name.clone(), local));
            tokio::spawn(accept_tcp(listener, live.clone(), source));
        } else if let Some(addr) = source.listen_udp {
            let socket = bind_udp(addr).map_err(|e| {
                anyhow::anyhow!("NMEA source {:?}: cannot bind UDP {addr}: {e}", source.name)
            })?;
            let local = socket.local_addr()?;
            tracing::info!(source = %source.name, "NMEA over UDP: listening on {local}");
            bound.udp.push((source.name.clone(), local));
            tokio::spawn(read_udp(socket, live.clone(), source));
        } else if let Some(target) = source.connect_tcp.clone() {
            tokio::spawn(connect_tcp(target, live.clone(), source));
        }
    }
    Ok(bound)
}

/// A UDP socket with a deep receive buffer: bursts from many receivers arrive faster than
/// one task reads, and the kernel drops what does not fit (it caps the size at
/// `net.core.rmem_max`).
fn bind_udp(addr: SocketAddr) -> std::io::Result<UdpSocket> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    let _ = socket.set_recv_buffer_size(8 << 20);
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    UdpSocket::from_std(socket.into())
}

async fn accept_tcp(listener: TcpListener, live: Arc<Live>, source: Arc<NmeaSourceConfig>) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                tracing::info!(source = %source.name, %peer, "NMEA peer connected");
                let (live, source) = (live.clone(), source.clone());
                tokio::spawn(async move {
                    let reason = read_tcp(stream, peer, &live, &source).await;
                    tracing::info!(source = %source.name, %peer, "NMEA peer gone: {reason}");
                });
            }
            Err(e) => {
                // Out of file descriptors and the like: wait instead of spinning.
                tracing::warn!(source = %source.name, "accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

/// Connects, reads until the peer goes away, and reconnects with exponential backoff
/// (0.5 s doubling to 30 s, reset after a connection that lasted).
async fn connect_tcp(target: String, live: Arc<Live>, source: Arc<NmeaSourceConfig>) {
    let mut backoff = Duration::from_millis(500);
    loop {
        let started = Instant::now();
        match TcpStream::connect(&target).await {
            Ok(stream) => {
                let peer = stream
                    .peer_addr()
                    .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
                tracing::info!(source = %source.name, "connected to NMEA feed {target}");
                let reason = read_tcp(stream, peer, &live, &source).await;
                tracing::warn!(source = %source.name, "NMEA feed {target} ended: {reason}");
            }
            Err(e) => tracing::warn!(source = %source.name, "cannot connect to {target}: {e}"),
        }
        metrics::counter!("tidewatch_nmea_reconnects_total", "source" => source.name.clone())
            .increment(1);
        if started.elapsed() > Duration::from_secs(60) {
            backoff = Duration::from_millis(500);
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(30));
    }
}

/// Reads one TCP stream to its end; returns why it ended.
async fn read_tcp(
    mut stream: TcpStream,
    peer: SocketAddr,
    live: &Live,
    source: &NmeaSourceConfig,
) -> String {
    let _ = stream.set_nodelay(true);
    let mut feed = Feed::new(source, peer);
    let mut splitter = LineSplitter::new(MAX_LINE);
    let mut buf = vec![0u8; 64 * 1024];
    let idle = Duration::from_secs(source.idle_timeout_s.max(1));
    let ended = loop {
        let n = match tokio::time::timeout(idle, stream.read(&mut buf)).await {
            Err(_) => {
                metrics::counter!("tidewatch_nmea_idle_disconnects_total", "source" => source.name.clone())
                    .increment(1);
                break format!("silent for {} s", idle.as_secs());
            }
            Ok(Err(e)) => break format!("read error: {e}"),
            Ok(Ok(0)) => {
                if let Some(rest) = splitter.finish() {
                    feed.lines.line(&rest);
                }
                break "closed by peer".into();
            }
            Ok(Ok(n)) => n,
        };
        let too_long = splitter.push(&buf[..n], |line| feed.lines.line(line));
        for _ in 0..too_long {
            feed.lines.too_long();
        }
        if feed.lines.updates.len() >= BATCH || n < buf.len() {
            feed.flush(live, WhenFull::Wait).await;
        }
    };
    feed.lines.lose_pending_fragments();
    feed.flush(live, WhenFull::Wait).await;
    ended
}

async fn read_udp(socket: UdpSocket, live: Arc<Live>, source: Arc<NmeaSourceConfig>) {
    // One decoder per sender, so fragments from different receivers never mix; bounded.
    let mut feeds: HashMap<SocketAddr, Feed> = HashMap::new();
    let mut buf = vec![0u8; 65_536];
    loop {
        let first = socket.recv_from(&mut buf).await;
        let mut received = Some(first);
        let mut datagrams = 0;
        // Take what is already waiting too (up to a batch), then hand it over at once:
        // one queue slot per burst rather than per sentence.
        while let Some(result) = received.take() {
            match result {
                Ok((n, peer)) => {
                    if !feeds.contains_key(&peer) && feeds.len() >= 1024 {
                        feeds.clear();
                    }
                    let feed = feeds
                        .entry(peer)
                        .or_insert_with(|| Feed::new(&source, peer));
                    for line in buf[..n].split(|&b| b == b'\n') {
                        if line.iter().all(u8::is_ascii_whitespace) {
                            continue;
                        }
                        if line.len() > MAX_LINE {
                            feed.lines.too_long();
                        } else {
                            feed.lines.line(line);
                        }
                    }
                }
                Err(e) => tracing::warn!(source = %source.name, "UDP receive failed: {e}"),
            }
            datagrams += 1;
            if datagrams < BATCH {
                received = match socket.try_recv_from(&mut buf) {
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => None,
                    other => Some(other),
                };
            }
        }
        for feed in feeds.values_mut() {
            if !feed.lines.updates.is_empty() || !feed.lines.counts.is_empty() {
                feed.flush(&live, WhenFull::Shed).await;
            }
        }
    }
}

/// Splits a byte stream into lines of at most `max` bytes without ever holding more:
/// an over-long line is skipped up to its newline and reported once.
pub struct LineSplitter {
    partial: Vec<u8>,
    max: usize,
    skipping: bool,
}

impl LineSplitter {
    pub fn new(max: usize) -> Self {
        LineSplitter {
            partial: Vec::new(),
            max,
            skipping: false,
        }
    }

    /// Calls `line` for every complete line in `data`; returns how many over-long lines
    /// were skipped.
    pub fn push(&mut self, mut data: &[u8], mut line: impl FnMut(&[u8])) -> usize {
        let mut too_long = 0;
        while !data.is_empty() {
            let newline = data.iter().position(|&b| b == b'\n');
            let (chunk, rest, ends) = match newline {
                Some(i) => (&data[..i], &data[i + 1..], true),
                None => (data, &data[data.len()..], false),
            };
            data = rest;
            if self.skipping {
                self.skipping = !ends;
                continue;
            }
            if self.partial.len() + chunk.len() > self.max {
                too_long += 1;
                self.partial.clear();
                self.skipping = !ends;
                continue;
            }
            if !ends {
                self.partial.extend_from_slice(chunk);
                continue;
            }
            if self.partial.is_empty() {
                if !chunk.iter().all(u8::is_ascii_whitespace) {
                    line(chunk);
                }
            } else {
                self.partial.extend_from_slice(chunk);
                if !self.partial.iter().all(u8::is_ascii_whitespace) {
                    line(&self.partial);
                }
                self.partial.clear();
            }
        }
        too_long
    }

    /// The last line when the stream ended without a newline.
    pub fn finish(&mut self) -> Option<Vec<u8>> {
        let rest = std::mem::take(&mut self.partial);
        (!self.skipping && !rest.iter().all(u8::is_ascii_whitespace)).then_some(rest)
    }
}

/// Per-line outcomes since they were last taken.
#[derive(Default)]
pub struct LineCounts {
    /// Whole messages (counted on their last line).
    pub accepted: u64,
    /// Earlier lines of multi-sentence messages.
    pub fragments: u64,
    /// Rejected lines by reason; `fragment_lost` counts stored fragments whose message
    /// never completed (already counted under `fragments`).
    pub rejected: HashMap<&'static str, u64>,
    /// The last rejected line (its start) and why, for the log.
    pub last_rejection: Option<(&'static str, String)>,
}

impl LineCounts {
    pub fn is_empty(&self) -> bool {
        self.accepted == 0 && self.fragments == 0 && self.rejected.is_empty()
    }
}

/// Decodes the lines of one stream (its own fragment reassembly and GNSS date) into
/// updates and tallies every line's outcome: network feeds and `POST /ingest/nmea`
/// share it.
pub struct LineDecoder {
    decoder: Decoder,
    started: Instant,
    gnss: GnssContext,
    /// Updates decoded and not yet handed over.
    pub updates: Vec<Update>,
    pub counts: LineCounts,
}

impl LineDecoder {
    /// `terminal` names GNSS fixes whose sentences carry no source.
    pub fn new(terminal: String) -> Self {
        LineDecoder {
            decoder: Decoder::new(),
            started: Instant::now(),
            gnss: GnssContext {
                terminal,
                day: None,
            },
            updates: Vec::with_capacity(BATCH),
            counts: LineCounts::default(),
        }
    }

    pub fn line(&mut self, line: &[u8]) {
        let now = self.started.elapsed().as_millis() as u64;
        match self.decoder.feed(line, now) {
            Ok(Some(decoded)) => match update_from(decoded, now_ms(), &mut self.gnss) {
                Ok(update) => {
                    self.counts.accepted += 1;
                    self.updates.push(update);
                }
                Err(reason) => self.reject(reason, line),
            },
            Ok(None) => self.counts.fragments += 1,
            Err(Rejection::Ignored) => {}
            Err(r) => self.reject(r.as_str(), line),
        }
        let dropped = self.decoder.take_dropped_fragments();
        if dropped > 0 {
            *self.counts.rejected.entry("fragment_lost").or_default() += dropped;
        }
    }

    /// A line the splitter dropped for its length.
    pub fn too_long(&mut self) {
        self.reject(Rejection::TooLong.as_str(), b"");
    }

    /// The stream has ended: fragments still waiting for the rest of their message
    /// never get it.
    pub fn lose_pending_fragments(&mut self) {
        let lost = self.decoder.expire(u64::MAX) as u64;
        if lost > 0 {
            *self.counts.rejected.entry("fragment_lost").or_default() += lost;
        }
    }

    fn reject(&mut self, reason: &'static str, line: &[u8]) {
        *self.counts.rejected.entry(reason).or_default() += 1;
        let shown = String::from_utf8_lossy(&line[..line.len().min(100)]).into_owned();
        self.counts.last_rejection = Some((reason, shown));
    }
}

/// One connection of a network feed: its line decoder, and the metrics and warnings
/// published under the source's name.
struct Feed<'a> {
    source: &'a NmeaSourceConfig,
    peer: SocketAddr,
    lines: LineDecoder,
    last_warning: Option<Instant>,
    rejected_since_warning: u64,
}

impl<'a> Feed<'a> {
    fn new(source: &'a NmeaSourceConfig, peer: SocketAddr) -> Self {
        let terminal = source
            .terminal_id
            .clone()
            .unwrap_or_else(|| peer.ip().to_string());
        Feed {
            source,
            peer,
            lines: LineDecoder::new(terminal),
            last_warning: None,
            rejected_since_warning: 0,
        }
    }

    /// Hands the waiting updates over and publishes the counts; warns about rejected
    /// lines at most every 10 seconds per connection.
    async fn flush(&mut self, live: &Live, when_full: WhenFull) {
        let name = &self.source.name;
        let c = std::mem::take(&mut self.lines.counts);
        let count = |result: &'static str, n: u64| {
            if n > 0 {
                metrics::counter!("tidewatch_nmea_lines_total", "source" => name.clone(), "result" => result)
                    .increment(n);
            }
        };
        count("accepted", c.accepted);
        count("fragment", c.fragments);
        for (reason, n) in &c.rejected {
            count(reason, *n);
        }
        self.rejected_since_warning += c.rejected.values().sum::<u64>();
        if self.rejected_since_warning > 0
            && self
                .last_warning
                .is_none_or(|t| t.elapsed() >= Duration::from_secs(10))
        {
            if let Some((reason, line)) = &c.last_rejection {
                tracing::warn!(source = %name, peer = %self.peer, rejected = self.rejected_since_warning,
                    "NMEA lines rejected; the last as {reason}: {line:?}");
            }
            self.last_warning = Some(Instant::now());
            self.rejected_since_warning = 0;
        }
        let batch = std::mem::replace(&mut self.lines.updates, Vec::with_capacity(BATCH));
        live.submit(batch, name, when_full).await;
    }
}

/// What a connection knows beyond one sentence: who is sending GNSS fixes and the date
/// of its last RMC (GGA and GNS carry a time of day only).
pub struct GnssContext {
    pub terminal: String,
    pub day: Option<i64>,
}

/// What a decoded sentence means for the fleet. `now_ms` stamps reports without a tag
/// block time or a GNSS date and time.
pub fn update_from(
    decoded: Decoded,
    now_ms: i64,
    gnss: &mut GnssContext,
) -> Result<Update, &'static str> {
    match decoded {
        Decoded::Ais { message, tag, .. } => {
            let at_ms = tag.as_ref().and_then(|t| t.unix_time_ms).unwrap_or(now_ms);
            let vessel: Arc<str> = message.mmsi().to_string().into();
            match message {
                AisMessage::Position(r) => {
                    let (Some(lon), Some(lat)) = (r.lon_deg(), r.lat_deg()) else {
                        return Err("no_position");
                    };
                    Ok(Update::Position(Position {
                        vessel,
                        source: PositionSource::Ais,
                        at_ms,
                        lon,
                        lat,
                        speed_kn: r.speed_kn().map(|v| v as f32),
                        course_deg: r.course_deg().map(|v| v as f32),
                        heading_deg: r.heading_deg().map(|v| v as f32),
                        nav_status: r.status,
                    }))
                }
                AisMessage::StaticVoyage(s) => Ok(Update::Static {
                    vessel,
                    data: VesselStatic {
                        name: non_empty(&s.shipname),
                        call_sign: non_empty(&s.callsign),
                        imo: (s.imo != 0).then_some(s.imo),
                        ship_type: (s.shiptype != 0).then_some(s.shiptype),
                        length_m: dimension(s.to_bow + s.to_stern),
                        beam_m: dimension(u16::from(s.to_port) + u16::from(s.to_starboard)),
                        draught_m: (s.draught != 0).then(|| f32::from(s.draught) / 10.0),
                        destination: non_empty(&s.destination),
                        eta: (s.eta.month != 0 && s.eta.day != 0).then(|| {
                            format!(
                                "{:02}-{:02}T{:02}:{:02}",
                                s.eta.month, s.eta.day, s.eta.hour, s.eta.minute
                            )
                        }),
                        ais_class: Some("A".into()),
                    },
                }),
                AisMessage::ClassBStatic(s) => Ok(Update::Static {
                    vessel,
                    data: VesselStatic {
                        name: s.shipname.as_deref().and_then(non_empty),
                        call_sign: s.callsign.as_deref().and_then(non_empty),
                        ship_type: s.shiptype.filter(|&t| t != 0),
                        length_m: match (s.to_bow, s.to_stern) {
                            (Some(b), Some(st)) => dimension(b + st),
                            _ => None,
                        },
                        beam_m: match (s.to_port, s.to_starboard) {
                            (Some(p), Some(sb)) => dimension(u16::from(p) + u16::from(sb)),
                            _ => None,
                        },
                        ais_class: Some("B".into()),
                        ..VesselStatic::default()
                    },
                }),
            }
        }
        Decoded::Gnss { sentence, tag } => {
            let fix = match sentence {
                GnssSentence::Rmc(f) | GnssSentence::Gga(f) | GnssSentence::Gns(f) => f,
                _ => return Err("no_position"),
            };
            // The date counts even from an RMC without a fix (receivers send those first).
            if let Some((y, m, d)) = fix.date {
                gnss.day = Some(crate::time::days_from_civil(
                    i64::from(y),
                    i64::from(m),
                    i64::from(d),
                ));
            }
            let (Some(lon), Some(lat)) = (fix.lon, fix.lat) else {
                return Err("no_fix");
            };
            if !fix.valid {
                return Err("no_fix");
            }
            let at_ms = tag
                .as_ref()
                .and_then(|t| t.unix_time_ms)
                .or_else(|| fix.time_utc.map(|t| gnss_time_ms(t, gnss.day, now_ms)))
                .unwrap_or(now_ms);
            let vessel = tag
                .as_ref()
                .and_then(|t| t.source.clone())
                .unwrap_or_else(|| gnss.terminal.clone());
            Ok(Update::Position(Position {
                vessel: vessel.into(),
                source: PositionSource::Beidou,
                at_ms,
                lon,
                lat,
                speed_kn: fix.speed_kn.map(|v| v as f32),
                course_deg: fix.course_deg.map(|v| v as f32),
                heading_deg: None,
                nav_status: None,
            }))
        }
    }
}

/// A GNSS time of day on its date, or without one on the UTC day that puts it nearest
/// to `now_ms` (a fix just before midnight read just after it belongs to yesterday).
fn gnss_time_ms((h, m, s): (u8, u8, f64), day: Option<i64>, now_ms: i64) -> i64 {
    const DAY_MS: i64 = 86_400_000;
    let of_day = (i64::from(h) * 60 + i64::from(m)) * 60_000 + (s * 1000.0).round() as i64;
    match day {
        Some(d) => d * DAY_MS + of_day,
        None => {
            let at = now_ms.div_euclid(DAY_MS) * DAY_MS + of_day;
            if at > now_ms + DAY_MS / 2 {
                at - DAY_MS
            } else {
                at
            }
        }
    }
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn dimension(metres: u16) -> Option<u16> {
    (metres > 0).then_some(metres)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(chunks: &[&[u8]], max: usize) -> (Vec<String>, usize) {
        let mut s = LineSplitter::new(max);
        let (mut lines, mut long) = (Vec::new(), 0);
        for c in chunks {
            long += s.push(c, |l| lines.push(String::from_utf8_lossy(l).into_owned()));
        }
        if let Some(rest) = s.finish() {
            lines.push(String::from_utf8_lossy(&rest).into_owned());
        }
        (lines, long)
    }

    #[test]
    fn lines_split_across_reads_are_joined() {
        let (lines, long) = split(&[b"!AIV", b"DM,1\r\n!AI", b"VDM,2\n\n", b"tail"], 100);
        assert_eq!(lines, ["!AIVDM,1\r", "!AIVDM,2", "tail"]);
        assert_eq!(long, 0);
    }

    #[test]
    fn an_over_long_line_is_skipped_whole_and_reported_once() {
        let big = vec![b'x'; 5000];
        let (lines, long) = split(&[b"ok1\n", &big[..2000], &big[2000..], b"\nok2\n"], 1024);
        assert_eq!(lines, ["ok1", "ok2"]);
        assert_eq!(long, 1);
    }
}
