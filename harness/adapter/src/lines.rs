//! Reading one line without ever holding more than a cap.

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// How a capped line read ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum LineEnd {
    /// A whole line is in the buffer (without its `\n`).
    Line,
    /// The stream ended; the buffer holds what came after the last newline (maybe nothing).
    Eof,
    /// The line is longer than the cap; the buffer holds the first `cap` bytes and the
    /// stream was left in the middle of the line.
    TooLong,
}

/// Reads up to and including the next `\n` into `buf` (cleared first), holding at most `cap` bytes.
pub(crate) async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<LineEnd> {
    buf.clear();
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(LineEnd::Eof);
        }
        let room = cap.saturating_sub(buf.len());
        match available.iter().position(|&b| b == b'\n') {
            Some(i) if i <= room => {
                buf.extend_from_slice(available.get(..i).unwrap_or_default());
                reader.consume(i + 1);
                return Ok(LineEnd::Line);
            }
            _ => {
                let len = available.len();
                let take = len.min(room);
                buf.extend_from_slice(available.get(..take).unwrap_or_default());
                reader.consume(take);
                if take < len {
                    return Ok(LineEnd::TooLong);
                }
            }
        }
    }
}

/// Discards the rest of the current line (through its `\n`). Returns false at end of stream.
pub(crate) async fn skip_line<R: AsyncBufRead + Unpin>(reader: &mut R) -> std::io::Result<bool> {
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(false);
        }
        if let Some(i) = available.iter().position(|&b| b == b'\n') {
            reader.consume(i + 1);
            return Ok(true);
        }
        let n = available.len();
        reader.consume(n);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use tokio::io::BufReader;

    async fn lines(input: &[u8], cap: usize) -> Vec<(LineEnd, Vec<u8>)> {
        let mut r = BufReader::with_capacity(4, input);
        let mut out = Vec::new();
        let mut buf = Vec::new();
        loop {
            let end = read_line(&mut r, &mut buf, cap).await.unwrap();
            let done = end == LineEnd::Eof;
            let too_long = end == LineEnd::TooLong;
            out.push((end, buf.clone()));
            if too_long {
                skip_line(&mut r).await.unwrap();
            }
            if done {
                return out;
            }
        }
    }

    #[tokio::test]
    async fn splits_caps_and_skips() {
        let got = lines(b"ab\n\nabcdefgh\nxyz\nabcde\nend", 5).await;
        let want: Vec<(LineEnd, Vec<u8>)> = vec![
            (LineEnd::Line, b"ab".to_vec()),
            (LineEnd::Line, b"".to_vec()),
            (LineEnd::TooLong, b"abcde".to_vec()),
            (LineEnd::Line, b"xyz".to_vec()),
            (LineEnd::Line, b"abcde".to_vec()),
            (LineEnd::Eof, b"end".to_vec()),
        ];
        assert_eq!(got, want);
    }
}
