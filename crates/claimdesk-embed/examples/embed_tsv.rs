//! Encodes the second column of a TSV with a header (`id<TAB>text…`) and
//! writes the vectors as raw little-endian f32 rows, printing sentences/s:
//! `cargo run --release -p claimdesk-embed --example embed_tsv -- IN.tsv OUT.f32 [COLUMNS]`
//! where COLUMNS (default `1`) are joined with a space, e.g. `1,2`.

use std::io::Write;
use std::time::Instant;

use claimdesk_embed::{Encoder, default_dir, to_bytes};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (input, output) = (&args[1], &args[2]);
    let columns: Vec<usize> = args.get(3).map_or("1", String::as_str).split(',').map(str::parse).collect::<Result<_, _>>()?;
    let text = std::fs::read_to_string(input)?;
    let texts: Vec<String> = text
        .lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            columns.iter().filter_map(|&c| fields.get(c).copied()).collect::<Vec<_>>().join(" ")
        })
        .collect();
    let encoder = Encoder::load(&default_dir())?;
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let start = Instant::now();
    let out = encoder.encode(&refs)?;
    let seconds = start.elapsed().as_secs_f64();
    let mut file = std::io::BufWriter::new(std::fs::File::create(output)?);
    for e in &out {
        file.write_all(&to_bytes(&e.vector))?;
    }
    let mean_chars = texts.iter().map(|t| t.chars().count()).sum::<usize>() as f64 / texts.len() as f64;
    println!("{} texts (mean {:.0} chars) in {:.1} s: {:.1} sentences/s", texts.len(), mean_chars, seconds, texts.len() as f64 / seconds);
    Ok(())
}
