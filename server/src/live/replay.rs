//! `tidewatch replay`: sends NMEA lines to a receiver over TCP or UDP at a set rate,
//! the way a shore station or an aggregator would.

use anyhow::{bail, Context};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpStream, UdpSocket};

/// Where lines go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Tcp(String),
    Udp(String),
}

impl Destination {
    /// `tcp://host:port` or `udp://host:port`.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        match text.split_once("://") {
            Some(("tcp", addr)) if !addr.is_empty() => Ok(Destination::Tcp(addr.to_owned())),
            Some(("udp", addr)) if !addr.is_empty() => Ok(Destination::Udp(addr.to_owned())),
            _ => bail!("--to {text:?}: give tcp://host:port or udp://host:port"),
        }
    }
}

/// The lines of an NMEA file worth sending (no comments, no blank lines).
pub fn nmea_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// Sends `lines` `repeat` times at `rate` lines per second (0: unpaced). Returns the
/// number of lines sent. Lines go out in slices of 10 ms worth, so pacing holds at
/// hundreds of thousands of lines per second.
pub async fn send(lines: &[&str], rate: f64, to: &Destination, repeat: u32) -> anyhow::Result<u64> {
    if !(rate >= 0.0 && rate.is_finite()) {
        bail!("--rate must be a number of lines per second, 0 for unpaced");
    }
    enum Sink {
        Tcp(TcpStream),
        Udp(UdpSocket),
    }
    let mut sink = match to {
        Destination::Tcp(addr) => Sink::Tcp(
            TcpStream::connect(addr)
                .await
                .with_context(|| format!("cannot connect to {addr}"))?,
        ),
        Destination::Udp(addr) => {
            let socket = UdpSocket::bind("0.0.0.0:0").await?;
            socket
                .connect(addr)
                .await
                .with_context(|| format!("cannot address {addr}"))?;
            Sink::Udp(socket)
        }
    };
    let started = Instant::now();
    let per_slice = if rate > 0.0 {
        ((rate / 100.0).ceil() as usize).max(1)
    } else {
        4096
    };
    let mut sent: u64 = 0;
    let mut buf = Vec::with_capacity(per_slice * 90);
    for _ in 0..repeat {
        for chunk in lines.chunks(per_slice) {
            match &mut sink {
                Sink::Tcp(stream) => {
                    buf.clear();
                    for line in chunk {
                        buf.extend_from_slice(line.as_bytes());
                        buf.extend_from_slice(b"\r\n");
                    }
                    stream.write_all(&buf).await.context("sending")?;
                }
                // One datagram per sentence, as receivers send them.
                Sink::Udp(socket) => {
                    for line in chunk {
                        let datagram = format!("{line}\r\n");
                        socket.send(datagram.as_bytes()).await.context("sending")?;
                    }
                }
            }
            sent += chunk.len() as u64;
            if rate > 0.0 {
                let due = Duration::from_secs_f64(sent as f64 / rate);
                if let Some(wait) = due.checked_sub(started.elapsed()) {
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
    if let Sink::Tcp(stream) = &mut sink {
        stream.shutdown().await.ok();
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations() {
        assert_eq!(
            Destination::parse("tcp://127.0.0.1:10110").unwrap(),
            Destination::Tcp("127.0.0.1:10110".into())
        );
        assert!(Destination::parse("http://x").is_err());
        assert!(Destination::parse("udp://").is_err());
    }

    #[test]
    fn comments_and_blank_lines_are_not_sent() {
        assert_eq!(
            nmea_lines("# c\n!AIVDM,1\r\n\n  \n!AIVDM,2"),
            ["!AIVDM,1", "!AIVDM,2"]
        );
    }
}
