use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

use claimdesk_tests::{claimdesk_bin, fixture, fixture_text, temp_dir};

use crate::{check_json, claimdesk, flag_pairs, path_str, stderr};

#[test]
fn empty_and_whitespace_only_files_have_nothing_to_flag() {
    let dir = temp_dir("empty-inputs");
    let empty = dir.join("empty.txt");
    let blank = dir.join("blank.txt");
    std::fs::write(&empty, "").unwrap();
    std::fs::write(&blank, " \n\t\r\n   \n").unwrap();
    let (json, output) = check_json(&[path_str(&empty), path_str(&blank)]);
    assert!(output.status.success(), "{}", stderr(&output));
    for doc in json["documents"].as_array().unwrap() {
        assert_eq!(doc["sentences"], serde_json::json!([]));
        assert_eq!(doc["flags"], serde_json::json!([]));
    }
    let text = claimdesk(&["check", path_str(&empty)]);
    assert!(crate::stdout(&text).contains("0 flags in 0 of 0 sentences"));
}

#[test]
fn invalid_utf8_names_file_and_offset_and_other_files_are_still_checked() {
    let dir = temp_dir("invalid-utf8");
    let bad = dir.join("latin1.txt");
    let mut bytes = b"Prices rose 14% last year. Caf".to_vec();
    bytes.push(0xE9); // Latin-1 'é'
    bytes.extend_from_slice(b" owners agreed.");
    std::fs::write(&bad, &bytes).unwrap();
    let good = fixture("harbour.txt");
    let (json, output) = check_json(&[path_str(&bad), path_str(&good)]);
    assert_eq!(output.status.code(), Some(1), "exit 1 when an input could not be read");
    let err = stderr(&output);
    assert!(err.contains(&format!("{}: invalid UTF-8 at byte offset 30", path_str(&bad))), "{err}");
    let docs = json["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 1, "the good file is still checked");
    assert_eq!(docs[0]["path"], path_str(&good));
    assert!(!docs[0]["flags"].as_array().unwrap().is_empty());
    assert_eq!(json["input_errors"][0]["path"], path_str(&bad));
}

#[test]
fn binary_missing_and_directory_inputs_are_clear_errors() {
    let dir = temp_dir("odd-inputs");
    let binary = dir.join("image.png");
    std::fs::write(&binary, [0x89, b'P', b'N', b'G', 0, 0, 0, 13, 0xff, 0xfe]).unwrap();
    let missing = dir.join("nope.txt");
    let output = claimdesk(&["check", path_str(&binary), path_str(&missing), path_str(&dir)]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains(&format!("{}: looks like a binary file (NUL byte at byte offset 4)", path_str(&binary))), "{err}");
    assert!(err.contains(&format!("{}: no such file", path_str(&missing))), "{err}");
    assert!(err.contains(&format!("{}: is a directory", path_str(&dir))), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn crlf_line_endings_keep_offsets_right() {
    let lf = fixture_text("harbour.txt");
    let crlf = lf.replace('\n', "\r\n");
    let dir = temp_dir("crlf");
    let path = dir.join("harbour-crlf.txt");
    std::fs::write(&path, &crlf).unwrap();
    let (json, _) = check_json(&[path_str(&path)]);
    let doc = &json["documents"][0];
    for item in doc["flags"].as_array().unwrap().iter().chain(doc["sentences"].as_array().unwrap()) {
        let (start, end) = (item["start"].as_u64().unwrap() as usize, item["end"].as_u64().unwrap() as usize);
        assert_eq!(item["text"], crlf[start..end]);
        assert!(!item["text"].as_str().unwrap().ends_with('\r'));
    }
    let (lf_json, _) = check_json(&[path_str(&fixture("harbour.txt"))]);
    assert_eq!(flag_pairs(&json), flag_pairs(&lf_json), "same flags whatever the line endings");
    assert_eq!(doc["sentences"].as_array().unwrap().len(), lf_json["documents"][0]["sentences"].as_array().unwrap().len());
}

#[test]
fn emoji_and_combining_characters_keep_spans_on_char_boundaries() {
    let text = "Cafe\u{301} owners 🎉 claimed ‘huge progress’ 📈 after sales rose 14% in over two years.\n\
                Zoë said the deal was “game-changing” 👍🏽, akin to a miracle.";
    let dir = temp_dir("unicode");
    let path = dir.join("unicode.txt");
    std::fs::write(&path, text).unwrap();
    let (json, output) = check_json(&[path_str(&path)]);
    assert!(output.status.success());
    let flags = json["documents"][0]["flags"].as_array().unwrap();
    assert!(flags.len() >= 5, "{flags:?}");
    for f in flags {
        let (start, end) = (f["start"].as_u64().unwrap() as usize, f["end"].as_u64().unwrap() as usize);
        assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
        assert_eq!(f["text"], text[start..end]);
    }
    let pairs = flag_pairs(&json);
    assert!(pairs.contains(&("numbers.duration".into(), "over two years".into())), "{pairs:?}");
    assert!(pairs.contains(&("vague.puffery".into(), "game-changing".into())), "{pairs:?}");
    // Text output aligns carets by characters and does not panic on them.
    let output = claimdesk(&["check", path_str(&path)]);
    assert!(output.status.success(), "{}", stderr(&output));
}

/// Runs the binary and returns (exit code, peak resident set in bytes).
fn run_measuring_memory(args: &[&str], stdout_to: &std::path::Path) -> (i32, u64) {
    let out = std::fs::File::create(stdout_to).unwrap();
    // Reaped by wait4 below, which `Child::wait` cannot do with rusage.
    #[allow(clippy::zombie_processes)]
    let child = Command::new(claimdesk_bin())
        .args(args)
        .stdout(out)
        .stderr(Stdio::null())
        .env_remove("CLAIMDESK_PLUGINS")
        .env("CLAIMDESK_PROFILE", "fast")
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid, and wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for the child we spawned; `Child` never waits for it again.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t);
    let code = std::process::ExitStatus::from_raw(status).code().unwrap_or(-1);
    (code, usage.ru_maxrss as u64 * 1024)
}

#[test]
fn fifty_megabyte_file_works_within_four_times_its_size() {
    let article = fixture_text("harbour.txt");
    let copies = 50 * 1024 * 1024 / (article.len() + 2) + 1;
    let mut big = String::with_capacity(copies * (article.len() + 2));
    for _ in 0..copies {
        big.push_str(&article);
        big.push_str("\n\n");
    }
    let dir = temp_dir("fifty-mb");
    let path = dir.join("big.txt");
    std::fs::write(&path, &big).unwrap();
    let size = big.len() as u64;
    drop(big);
    let out = dir.join("out.json");
    let (code, peak) = run_measuring_memory(&["check", "--format", "json", path_str(&path)], &out);
    assert_eq!(code, 0);
    assert!(peak < 4 * size, "peak memory {peak} bytes for a {size}-byte file");
    // Every copy is flagged the same: count one rule's flags in the output.
    let json = std::fs::read_to_string(&out).unwrap();
    assert!(json.ends_with("\"input_errors\":[]}\n"));
    let per_copy = article.matches("over six years").count();
    assert_eq!(json.matches("\"rule\":\"numbers.duration\",\"kind\":\"numeric\",\"severity\":\"warning\"").count(), copies * per_copy);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_hundred_kilobyte_sentence_without_punctuation_is_checked() {
    let dir = temp_dir("long-sentence");
    let path = dir.join("long.txt");
    let text = "officials said the plan could bring big progress over ten years and more ".repeat(1400);
    assert!(text.len() > 100_000);
    std::fs::write(&path, &text).unwrap();
    let (json, output) = check_json(&[path_str(&path)]);
    assert!(output.status.success(), "{}", stderr(&output));
    let doc = &json["documents"][0];
    assert_eq!(doc["sentences"].as_array().unwrap().len(), 1);
    // One flag per rule in the one sentence, however often its cue repeats.
    let rules: Vec<_> = flag_pairs(&json).into_iter().map(|(rule, _)| rule).collect();
    let mut unique = rules.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(rules.len(), unique.len(), "{rules:?}");
    assert!(rules.contains(&"numbers.duration".to_owned()));
}
