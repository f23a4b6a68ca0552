//! Images: single files for prediction and folders `DIR/<class>/*.{png,jpg,jpeg}` for
//! training, decoded with the `image` crate and flattened as the course flattens its HDF5
//! images: (row, column, channel), one image per column of X, values 0–255.

use std::path::{Path, PathBuf};

use image::imageops::FilterType;
use ndarray::Array2;

use super::{Dataset, ImageShape};
use crate::{Error, Result};

/// What to do with an image whose size differs from the one wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resize {
    /// Resize it (bilinear), as the course's "predict on your own image" does.
    Yes,
    /// Refuse it with an error.
    No,
}

/// Decodes an image and returns its pixels flattened in (row, column, channel) order, as
/// 0–255 values, with `shape`'s size and channels (1 = grey, 3 = RGB, 4 = RGBA) when given,
/// else the image's own size as RGB.
pub fn read_image(path: impl AsRef<Path>, shape: Option<ImageShape>, resize: Resize) -> Result<(Vec<f64>, ImageShape)> {
    let path = path.as_ref();
    let fail = |reason: String| Error::DataFile { path: path.to_path_buf(), reason };
    let bytes = std::fs::read(path).map_err(|source| Error::Io { path: path.to_path_buf(), error: source })?;
    let decoded =
        image::load_from_memory(&bytes).map_err(|e| fail(format!("not a readable PNG or JPEG image ({e})")))?;
    let (width, height) = (decoded.width() as usize, decoded.height() as usize);
    let target = shape.unwrap_or(ImageShape { height, width, channels: 3 });
    let decoded = if (height, width) == (target.height, target.width) {
        decoded
    } else if resize == Resize::Yes {
        decoded.resize_exact(target.width as u32, target.height as u32, FilterType::Triangle)
    } else {
        return Err(fail(format!(
            "the image is {width}×{height} pixels, expected {}×{} (resizing is off)",
            target.width, target.height
        )));
    };
    let pixels: Vec<u8> = match target.channels {
        1 => decoded.into_luma8().into_raw(),
        3 => decoded.into_rgb8().into_raw(),
        4 => decoded.into_rgba8().into_raw(),
        other => return Err(fail(format!("images with {other} channels are not supported (1, 3 or 4)"))),
    };
    Ok((pixels.into_iter().map(f64::from).collect(), target))
}

/// Whether a path names a PNG or JPEG file by its extension.
pub fn is_image_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["png", "jpg", "jpeg"].contains(&e.to_ascii_lowercase().as_str()))
}

/// Reads a folder with one subfolder of images per class (exactly two; sorted names are
/// classes 0 and 1). Every image is brought to `shape` (default: the first image's size,
/// RGB) by resizing.
pub fn read_image_folder(dir: impl AsRef<Path>, shape: Option<ImageShape>) -> Result<Dataset> {
    let dir = dir.as_ref();
    let fail = |reason: String| Error::DataFile { path: dir.to_path_buf(), reason };
    let io = |source| Error::Io { path: dir.to_path_buf(), error: source };
    let mut classes: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().is_dir())
        .map(|entry| (entry.file_name().to_string_lossy().into_owned(), entry.path()))
        .collect();
    classes.sort();
    if classes.len() != 2 {
        let found = classes.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>().join(", ");
        return Err(fail(format!(
            "expected exactly two class folders (DIR/<class>/*.png), found {}{}",
            classes.len(),
            if found.is_empty() { String::new() } else { format!(": {found}") }
        )));
    }
    let mut files = Vec::new();
    for (label, (name, path)) in classes.iter().enumerate() {
        let mut images: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|source| Error::Io { path: path.clone(), error: source })?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && is_image_file(p))
            .collect();
        if images.is_empty() {
            return Err(Error::DataFile {
                path: path.clone(),
                reason: format!("class folder '{name}' has no .png, .jpg or .jpeg files"),
            });
        }
        images.sort();
        files.extend(images.into_iter().map(|p| (p, label as f64)));
    }
    let mut columns = Vec::with_capacity(files.len());
    let mut shape = shape;
    for (path, _) in &files {
        let (pixels, read_shape) = read_image(path, shape, Resize::Yes)?;
        shape = Some(read_shape);
        columns.push(pixels);
    }
    let shape = shape.expect("at least one image was read");
    let n_x = shape.height * shape.width * shape.channels;
    let m = columns.len();
    let mut x = Array2::zeros((n_x, m));
    for (j, column) in columns.into_iter().enumerate() {
        x.column_mut(j).assign(&ndarray::Array1::from(column));
    }
    let y = Array2::from_shape_vec((1, m), files.iter().map(|(_, label)| *label).collect()).expect("m labels");
    Ok(Dataset {
        x,
        y,
        class_names: Some(classes.into_iter().map(|(name, _)| name).collect()),
        image: Some(shape),
        ..Dataset::default()
    })
}
