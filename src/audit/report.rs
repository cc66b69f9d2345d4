//! The sessions report as a table, JSON (an array of rows) or CSV.

use std::io::Write;

use super::row::SessionRow;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

pub fn write(rows: &[SessionRow], format: Format, out: &mut dyn Write) -> std::io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, rows).map_err(std::io::Error::other)?;
            writeln!(out)
        }
        Format::Csv => csv(rows, out),
        Format::Table => table(rows, out),
    }
}

const COLUMNS: [&str; 14] = [
    "session_id",
    "account",
    "region",
    "principal",
    "person",
    "source_ip",
    "target",
    "document",
    "kind",
    "start",
    "end",
    "logs",
    "integrity",
    "note",
];

fn fields(r: &SessionRow) -> [String; 14] {
    [
        r.session_id.clone(),
        r.account.clone(),
        r.region.clone(),
        r.principal.clone(),
        r.person.clone(),
        r.source_ip.clone(),
        r.target.clone(),
        r.document.clone(),
        serde_json::to_value(r.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
        r.start.clone(),
        r.end.clone(),
        r.logs.join(" "),
        r.integrity.word().to_string(),
        r.note.clone(),
    ]
}

/// RFC 4180: quote fields with commas, quotes or line breaks.
fn csv(rows: &[SessionRow], out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "{}", COLUMNS.join(","))?;
    for r in rows {
        let line: Vec<String> = fields(r)
            .into_iter()
            .map(|f| if f.contains([',', '"', '\n', '\r']) { format!("\"{}\"", f.replace('"', "\"\"")) } else { f })
            .collect();
        writeln!(out, "{}", line.join(","))?;
    }
    Ok(())
}

fn table(rows: &[SessionRow], out: &mut dyn Write) -> std::io::Result<()> {
    let head = ["START", "END", "ACCOUNT", "REGION", "WHO", "TARGET", "DOCUMENT", "SESSION", "INTEGRITY"];
    let body: Vec<[String; 9]> = rows
        .iter()
        .map(|r| {
            let who = if r.person.is_empty() { r.principal.clone() } else { format!("{} ({})", r.person, r.source_ip) };
            [
                r.start.clone(),
                r.end.clone(),
                r.account.clone(),
                r.region.clone(),
                who,
                r.target.clone(),
                r.document.clone(),
                r.session_id.clone(),
                r.integrity.word().to_string(),
            ]
        })
        .collect();
    let mut width = head.map(str::len);
    for b in &body {
        for (w, f) in width.iter_mut().zip(b) {
            *w = (*w).max(f.chars().count());
        }
    }
    let line = |cells: Vec<&str>, out: &mut dyn Write| -> std::io::Result<()> {
        let padded: Vec<String> = cells.iter().zip(width).map(|(c, w)| format!("{c:<w$}")).collect();
        writeln!(out, "{}", padded.join("  ").trim_end())
    };
    line(head.to_vec(), out)?;
    for (b, r) in body.iter().zip(rows) {
        line(b.iter().map(String::as_str).collect(), out)?;
        for l in &r.logs {
            writeln!(out, "    {l}")?;
        }
        for o in &r.original {
            writeln!(out, "    original: {o}")?;
        }
        if r.integrity != super::row::Integrity::Complete {
            writeln!(out, "    {}", r.note)?;
        }
    }
    Ok(())
}
