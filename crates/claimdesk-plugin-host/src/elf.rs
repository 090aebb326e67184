//! A plugin file's ELF structure, checked before the library is mapped.
//!
//! `dlopen` maps each loadable segment of a library as its program
//! headers describe it; a segment that reaches past the end of a truncated
//! file is mapped all the same, and the first touch of that page kills the
//! process with SIGBUS, before any error can be reported. So the file is
//! read once and refused unless its header, program headers and section
//! headers, and every segment's and section's bytes, lie within it.

use std::path::Path;

use object::Endianness;
use object::elf::{ET_DYN, FileHeader32, FileHeader64, SHT_NOBITS};
use object::read::elf::{FileHeader, ProgramHeader, SectionHeader};

use crate::LoadProblem;

/// Refuses `path` unless it is a whole ELF shared library.
pub(crate) fn check_library(path: &Path) -> Result<(), LoadProblem> {
    let data = std::fs::read(path).map_err(|e| LoadProblem::NotALibrary(e.to_string()))?;
    check_bytes(&data)
}

/// The same check on a library's bytes: no ELF header at all is not a
/// library (a text file, a cut of under 4 bytes); any other fault is a
/// damaged one.
fn check_bytes(data: &[u8]) -> Result<(), LoadProblem> {
    if data.get(..4) != Some(&object::elf::ELFMAG[..]) {
        return Err(LoadProblem::NotALibrary(format!("no ELF header ({} bytes)", data.len())));
    }
    check_structure(data).map_err(LoadProblem::Damaged)
}

fn check_structure(data: &[u8]) -> Result<(), String> {
    let class = data.get(4).copied().map(object::elf::FileClass);
    if class == Some(object::elf::ELFCLASS64) {
        check::<FileHeader64<Endianness>>(data)
    } else if class == Some(object::elf::ELFCLASS32) {
        check::<FileHeader32<Endianness>>(data)
    } else {
        Err("unknown ELF class".to_owned())
    }
}

fn check<Elf: FileHeader<Endian = Endianness>>(data: &[u8]) -> Result<(), String> {
    let len = data.len();
    let header = Elf::parse(data).map_err(|e| format!("{e} ({len} bytes)"))?;
    let endian = header.endian().map_err(|e| e.to_string())?;
    if header.e_type(endian) != ET_DYN {
        return Err("not a shared library (ELF type is not ET_DYN)".to_owned());
    }
    let segments = header.program_headers(endian, data).map_err(|e| format!("{e}: the file is {len} bytes"))?;
    if segments.is_empty() {
        return Err("no program headers".to_owned());
    }
    for (i, segment) in segments.iter().enumerate() {
        segment.data(endian, data).map_err(|_| {
            let end = segment.p_offset(endian).into().saturating_add(segment.p_filesz(endian).into());
            format!("segment {i} ends at byte {end}, past the end of the {len}-byte file")
        })?;
    }
    let sections = header.section_headers(endian, data).map_err(|e| format!("{e}: the file is {len} bytes"))?;
    for (i, section) in sections.iter().enumerate() {
        if section.sh_type(endian) != SHT_NOBITS && section.data(endian, data).is_err() {
            let end = section.sh_offset(endian).into().saturating_add(section.sh_size(endian).into());
            return Err(format!("section {i} ends at byte {end}, past the end of the {len}-byte file"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_library_passes_and_every_cut_is_refused() {
        // The libc this test runs on is a whole shared library.
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
        let libc =
            maps.lines().filter_map(|l| l.split_whitespace().nth(5)).find(|p| p.contains("/libc.so") || p.contains("/libc-")).unwrap();
        let data = std::fs::read(libc).unwrap();
        assert_eq!(check_bytes(&data), Ok(()));
        for cut in [0, 3, 63, 64, 1_000, 4_096, 60_000, 600_000, data.len() - 1] {
            let cut = cut.min(data.len() - 1);
            assert!(check_bytes(&data[..cut]).is_err(), "cut at {cut} of {}", data.len());
        }
        assert!(matches!(check_bytes(&data[..60_000]), Err(LoadProblem::Damaged(why)) if why.contains("past the end")));
        assert!(matches!(check_bytes(b"not a library at all"), Err(LoadProblem::NotALibrary(why)) if why.contains("no ELF header")));
    }
}
