//! Greyscale images, and PNG in and out of them.

use std::io::Cursor;

/// The longest side of an image c169 reads: a version-40 symbol (177 modules and a
/// quiet zone) at 20 pixels a module is 3 700 pixels.
pub const MAX_SIDE: u32 = 4096;
/// The largest PNG file c169 reads.
pub const MAX_IMAGE_BYTES: usize = 32 << 20;

/// An 8-bit greyscale image, row by row; 0 is black, 255 white.
#[derive(Clone, PartialEq, Eq)]
pub struct Gray {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

impl std::fmt::Debug for Gray {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Gray({}×{})", self.width, self.height)
    }
}

impl Gray {
    /// An image whose pixel at (x, y) is `f(x, y)`. Sides are clamped to [`MAX_SIDE`].
    pub fn from_fn(width: u32, height: u32, mut f: impl FnMut(u32, u32) -> u8) -> Gray {
        let (width, height) = (width.min(MAX_SIDE), height.min(MAX_SIDE));
        let mut pixels = Vec::with_capacity(width as usize * height as usize);
        for y in 0..height {
            for x in 0..width {
                pixels.push(f(x, y));
            }
        }
        Gray {
            width,
            height,
            pixels,
        }
    }

    /// An image of `pixels`, row by row; `None` when their number is not
    /// `width × height` or a side is over [`MAX_SIDE`].
    #[must_use]
    pub fn from_pixels(width: u32, height: u32, pixels: Vec<u8>) -> Option<Gray> {
        (width <= MAX_SIDE
            && height <= MAX_SIDE
            && pixels.len() == width as usize * height as usize)
            .then_some(Gray {
                width,
                height,
                pixels,
            })
    }

    #[must_use]
    pub fn width(&self) -> u32 {
        self.width
    }

    #[must_use]
    pub fn height(&self) -> u32 {
        self.height
    }

    #[must_use]
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// The pixel at (x, y); white outside the image.
    #[must_use]
    pub fn get(&self, x: i64, y: i64) -> u8 {
        if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) {
            return 255;
        }
        // In bounds: both fit the image's usize index.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let i = y as usize * self.width as usize + x as usize;
        self.pixels.get(i).copied().unwrap_or(255)
    }
}

/// Why an image could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("the image is {0} bytes, more than the {MAX_IMAGE_BYTES} c169 reads")]
    TooLarge(usize),
    #[error("the image is {width}×{height} pixels; c169 reads at most {MAX_SIDE} a side")]
    TooWide { width: u32, height: u32 },
    #[error("not a PNG image c169 can read: {0}")]
    Png(String),
}

/// `image` as a greyscale 8-bit PNG.
#[must_use]
pub fn encode_png(image: &Gray) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, image.width, image.height);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::High);
    // Writing to memory an image whose size matches its header cannot fail.
    if let Ok(mut writer) = encoder.write_header() {
        let _ = writer.write_image_data(&image.pixels);
        let _ = writer.finish();
    }
    out
}

/// Reads a PNG of any colour type and depth into greyscale (Rec. 601 luma,
/// composited over white), refusing files and images over the bounds before
/// allocating for them.
pub fn decode_png(bytes: &[u8]) -> Result<Gray, ImageError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(ImageError::TooLarge(bytes.len()));
    }
    let png_err = |e: png::DecodingError| ImageError::Png(e.to_string());
    let mut decoder = png::Decoder::new_with_limits(
        Cursor::new(bytes),
        png::Limits {
            bytes: 4 * MAX_SIDE as usize * MAX_SIDE as usize,
        },
    );
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(png_err)?;
    let (width, height) = {
        let info = reader.info();
        (info.width, info.height)
    };
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(ImageError::TooWide { width, height });
    }
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| ImageError::Png("the image's size overflows".into()))?;
    let mut buf = vec![0; size];
    let frame = reader.next_frame(&mut buf).map_err(png_err)?;
    let channels = frame.color_type.samples();
    if frame.bit_depth != png::BitDepth::Eight || frame.width != width || frame.height != height {
        return Err(ImageError::Png(format!(
            "unexpected frame after expansion: {:?}, {}×{}",
            frame.bit_depth, frame.width, frame.height
        )));
    }
    let stride = frame.line_size;
    let mut pixels = Vec::with_capacity(width as usize * height as usize);
    for y in 0..height as usize {
        let row = buf
            .get(y * stride..y * stride + width as usize * channels)
            .ok_or_else(|| ImageError::Png("a row is shorter than its width".into()))?;
        for px in row.chunks_exact(channels) {
            pixels.push(luma(frame.color_type, px));
        }
    }
    Ok(Gray {
        width,
        height,
        pixels,
    })
}

fn luma(color: png::ColorType, px: &[u8]) -> u8 {
    let over_white = |v: u32, a: u32| (v * a + 255 * (255 - a)) / 255;
    let rgb =
        |r: u8, g: u8, b: u8| (299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b)) / 1000;
    let v = match (color, px) {
        (png::ColorType::Grayscale, [g, ..]) => u32::from(*g),
        (png::ColorType::GrayscaleAlpha, [g, a, ..]) => over_white(u32::from(*g), u32::from(*a)),
        (png::ColorType::Rgb, [r, g, b, ..]) => rgb(*r, *g, *b),
        (png::ColorType::Rgba, [r, g, b, a, ..]) => over_white(rgb(*r, *g, *b), u32::from(*a)),
        _ => 255,
    };
    u8::try_from(v.min(255)).unwrap_or(255)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn png_round_trips() {
        let img = Gray::from_fn(37, 11, |x, y| u8::try_from((x * 7 + y * 13) % 256).unwrap());
        let back = decode_png(&encode_png(&img)).unwrap();
        assert_eq!(back, img);
    }

    #[test]
    fn garbage_and_oversized_images_are_refused() {
        assert!(matches!(decode_png(b"not a png"), Err(ImageError::Png(_))));
        assert!(matches!(decode_png(&[]), Err(ImageError::Png(_))));
        // A header claiming 5000×5000: refused before the pixels are allocated.
        let mut big = encode_png(&Gray::from_fn(1, 1, |_, _| 0));
        big[16..20].copy_from_slice(&5000_u32.to_be_bytes());
        big[20..24].copy_from_slice(&5000_u32.to_be_bytes());
        assert!(decode_png(&big).is_err());
    }
}
