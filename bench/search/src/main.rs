//! Tamar's search index against PostgreSQL full-text search, side by side in one run, on the
//! same catalogue (the real demo entries plus synthetic ones, 100,000 by default) and the same
//! queries. Measures index build time, search latency (p50, p99) over a fixed query mix, and
//! hit quality on the labelled queries of the demo. Run through `bench/search.sh`, which
//! repeats it and takes the medians; each `result NAME VALUE` line is one figure.
//!
//! Options: `--entries N` (100000), `--passes N` timed passes over the query mix (5),
//! `--postgres URL` (`postgres://postgres@127.0.0.1:5432`, or `TAMAR_BENCH_POSTGRES`),
//! `--demo DIR` (the repository's `crates/tamar-web-portal/demo`), `--misses` to list the labelled
//! queries each engine gets wrong, `--by-query` to print each query's median time,
//! `--keep-database` to leave PostgreSQL's copy to look at, `--tamar-only` to build and time
//! Tamar alone (no PostgreSQL, no ratio: for a profiler, e.g. `perf record`).

mod catalogue;
mod postgres;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Deserialize;
use tamar_core::lang::Lang;
use tamar_search::{SearchIndex, SearchRequest};

use crate::postgres::Postgres;

/// Documents per `upsert` call, as a rebuild from a feed would stage them.
const UPSERT_BATCH: usize = 1_000;
/// Untimed passes over the query mix before measuring, for both engines.
const WARM_UP_PASSES: usize = 2;

/// Short, frequent searches in the three languages, added to the labelled queries to make
/// the latency mix: single common words match thousands of entries.
const FREQUENT: &[(&str, Lang)] = &[
    ("tax", Lang::En),
    ("passport", Lang::En),
    ("licence", Lang::En),
    ("apply", Lang::En),
    ("housing", Lang::En),
    ("vaccination", Lang::En),
    ("library", Lang::En),
    ("renew licence", Lang::En),
    ("身份證", Lang::Tc),
    ("牌照", Lang::Tc),
    ("申請", Lang::Tc),
    ("公屋", Lang::Tc),
    ("稅", Lang::Tc),
    ("护照", Lang::Sc),
    ("签证", Lang::Sc),
    ("驾驶执照", Lang::Sc),
    ("疫苗", Lang::Sc),
];

#[derive(Deserialize)]
struct Labelled {
    q: String,
    lang: String,
    expect: String,
    within: usize,
}

struct Options {
    entries: usize,
    passes: usize,
    postgres: String,
    demo: PathBuf,
    misses: bool,
    by_query: bool,
    keep_database: bool,
    tamar_only: bool,
}

fn options() -> anyhow::Result<Options> {
    let mut options = Options {
        entries: 100_000,
        passes: 5,
        postgres: std::env::var("TAMAR_BENCH_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned()),
        demo: Path::new(env!("CARGO_MANIFEST_DIR")).join("../../crates/tamar-web-portal/demo"),
        misses: false,
        by_query: false,
        keep_database: false,
        tamar_only: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--entries" => options.entries = value()?.parse()?,
            "--passes" => options.passes = value()?.parse()?,
            "--postgres" => options.postgres = value()?,
            "--demo" => options.demo = value()?.into(),
            "--misses" => options.misses = true,
            "--by-query" => options.by_query = true,
            "--keep-database" => options.keep_database = true,
            "--tamar-only" => options.tamar_only = true,
            _ => anyhow::bail!("unknown option {arg}"),
        }
    }
    Ok(options)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let options = options()?;

    let started = Instant::now();
    let mut docs = catalogue::real_entries(&options.demo)?;
    let real = docs.len();
    let synthetic = catalogue::synthetic_entries(&docs, options.entries);
    docs.extend(synthetic);
    let text_bytes: usize = docs
        .iter()
        .map(|d| {
            [&d.title, &d.summary, &d.body]
                .iter()
                .map(|t| t.en.len() + t.tc.len() + t.sc.len())
                .sum::<usize>()
        })
        .sum();
    println!(
        "catalogue: {} entries ({real} real), {:.0} MiB of text, generated in {:.1} s",
        docs.len(),
        text_bytes as f64 / 1048576.0,
        started.elapsed().as_secs_f64()
    );

    let mut labelled: Vec<Labelled> = Vec::new();
    for file in ["queries-a.json", "queries-b.json"] {
        let path = options.demo.join(file);
        labelled.extend(serde_json::from_str::<Vec<Labelled>>(
            &std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?,
        )?);
    }
    let mut mix: Vec<(String, Lang)> = Vec::new();
    for query in &labelled {
        mix.push((
            query.q.clone(),
            Lang::from_prefix(&query.lang).context("a labelled query's lang")?,
        ));
    }
    mix.extend(FREQUENT.iter().map(|(q, lang)| ((*q).to_owned(), *lang)));

    // Build both, one after the other.
    let folder = tempfile::tempdir()?;
    let started = Instant::now();
    let tamar = SearchIndex::open(Some(folder.path()))?;
    for batch in docs.chunks(UPSERT_BATCH) {
        tamar.upsert(batch)?;
    }
    tamar.commit()?;
    let segments = tamar.merge_segments()?;
    let tamar_build = started.elapsed();
    let tamar_bytes = folder_size(folder.path())?;
    println!(
        "tamar: built in {:.1} s (merging {segments} segments into {}), {} documents, {:.0} MiB on disk",
        tamar_build.as_secs_f64(),
        tamar.segment_count(),
        tamar.doc_count(),
        tamar_bytes as f64 / 1048576.0
    );

    if options.tamar_only {
        return time_tamar_alone(&tamar, &mix, options.passes);
    }

    let mut pg = Postgres::create(&options.postgres).await?;
    let started = Instant::now();
    pg.build(&docs).await?;
    let pg_build = started.elapsed();
    let pg_bytes = pg.size().await?;
    println!(
        "postgres: built in {:.1} s, {:.0} MiB of table and indexes",
        pg_build.as_secs_f64(),
        pg_bytes as f64 / 1048576.0
    );
    drop(docs);

    // Quality on the labelled set.
    let mut tamar_quality = Quality::default();
    let mut pg_quality = Quality::default();
    for query in &labelled {
        let lang = Lang::from_prefix(&query.lang).context("a labelled query's lang")?;
        let tamar_keys = tamar_search(&tamar, &query.q, lang)?;
        let pg_keys = pg.search(&query.q, lang).await?;
        for (engine, keys, quality) in [
            ("tamar", &tamar_keys, &mut tamar_quality),
            ("postgres", &pg_keys, &mut pg_quality),
        ] {
            let rank = keys.iter().position(|key| {
                key.split_once(':')
                    .is_some_and(|(_, slug)| slug == query.expect)
            });
            quality.add(lang, rank, query.within);
            if options.misses && !rank.is_some_and(|r| r < query.within) {
                let shown: Vec<&str> = keys.iter().take(3).map(String::as_str).collect();
                println!(
                    "miss {engine}: {:?} ({}) expects {} within {}, rank {:?}, top {shown:?}",
                    query.q,
                    query.lang,
                    query.expect,
                    query.within,
                    rank.map(|r| r + 1)
                );
            }
        }
    }

    // Latency over the mix: warm up, then time each query on each engine in turn, swapping
    // which goes first every pass so that neither always runs on a cache the other warmed.
    for _ in 0..WARM_UP_PASSES {
        for (q, lang) in &mix {
            tamar_search(&tamar, q, *lang)?;
            pg.search(q, *lang).await?;
        }
    }
    let mut tamar_times = Vec::with_capacity(mix.len() * options.passes);
    let mut pg_times = Vec::with_capacity(mix.len() * options.passes);
    for pass in 0..options.passes {
        for (q, lang) in &mix {
            let time_tamar = |times: &mut Vec<Duration>| -> anyhow::Result<()> {
                let started = Instant::now();
                std::hint::black_box(tamar_search(&tamar, q, *lang)?);
                times.push(started.elapsed());
                Ok(())
            };
            if pass % 2 == 0 {
                time_tamar(&mut tamar_times)?;
            }
            let started = Instant::now();
            std::hint::black_box(pg.search(q, *lang).await?);
            pg_times.push(started.elapsed());
            if pass % 2 == 1 {
                time_tamar(&mut tamar_times)?;
            }
        }
    }
    if !options.keep_database {
        pg.drop_database().await?;
    }

    if options.by_query {
        // Timings are in pass order: query `at` of pass `p` is at `p * mix.len() + at`.
        for (at, (q, lang)) in mix.iter().enumerate() {
            let of_query = |times: &[Duration]| -> Vec<Duration> {
                times.iter().skip(at).step_by(mix.len()).copied().collect()
            };
            let (mut tamar_query, mut pg_query) = (of_query(&tamar_times), of_query(&pg_times));
            println!(
                "query {q:?} ({}): tamar {:.3} ms, postgres {:.3} ms (medians)",
                lang.prefix(),
                ms(percentile(&mut tamar_query, 50.0)),
                ms(percentile(&mut pg_query, 50.0))
            );
        }
    }
    let (tamar_p50, tamar_p99) = (
        percentile(&mut tamar_times, 50.0),
        percentile(&mut tamar_times, 99.0),
    );
    let (pg_p50, pg_p99) = (
        percentile(&mut pg_times, 50.0),
        percentile(&mut pg_times, 99.0),
    );
    println!(
        "latency over {} queries x {} passes: tamar p50 {:.3} ms, p99 {:.3} ms; postgres p50 {:.3} ms, p99 {:.3} ms",
        mix.len(),
        options.passes,
        ms(tamar_p50),
        ms(tamar_p99),
        ms(pg_p50),
        ms(pg_p99)
    );
    for (engine, quality) in [("tamar", &tamar_quality), ("postgres", &pg_quality)] {
        println!("quality {engine}: {}", quality.describe());
    }

    let mut results: Vec<(String, f64)> = vec![
        ("entries".into(), tamar.doc_count() as f64),
        ("tamar_build_s".into(), tamar_build.as_secs_f64()),
        ("postgres_build_s".into(), pg_build.as_secs_f64()),
        ("tamar_mib".into(), tamar_bytes as f64 / 1048576.0),
        ("postgres_mib".into(), pg_bytes as f64 / 1048576.0),
        ("tamar_p50_ms".into(), ms(tamar_p50)),
        ("tamar_p99_ms".into(), ms(tamar_p99)),
        ("postgres_p50_ms".into(), ms(pg_p50)),
        ("postgres_p99_ms".into(), ms(pg_p99)),
        (
            "p50_ratio".into(),
            pg_p50.as_secs_f64() / tamar_p50.as_secs_f64(),
        ),
        (
            "p99_ratio".into(),
            pg_p99.as_secs_f64() / tamar_p99.as_secs_f64(),
        ),
    ];
    for (engine, quality) in [("tamar", &tamar_quality), ("postgres", &pg_quality)] {
        for (name, value) in quality.figures() {
            results.push((format!("{engine}_{name}"), value));
        }
    }
    for (name, value) in results {
        println!("result {name} {value:.4}");
    }
    Ok(())
}

/// Tamar's latency over the mix, without PostgreSQL: a steady load to profile.
fn time_tamar_alone(tamar: &SearchIndex, mix: &[(String, Lang)], passes: usize) -> anyhow::Result<()> {
    let mut times = Vec::with_capacity(mix.len() * passes);
    for pass in 0..WARM_UP_PASSES + passes {
        for (q, lang) in mix {
            let started = Instant::now();
            std::hint::black_box(tamar_search(tamar, q, *lang)?);
            if pass >= WARM_UP_PASSES {
                times.push(started.elapsed());
            }
        }
    }
    println!(
        "latency over {} queries x {passes} passes: tamar p50 {:.3} ms, p99 {:.3} ms",
        mix.len(),
        ms(percentile(&mut times, 50.0)),
        ms(percentile(&mut times, 99.0))
    );
    Ok(())
}

/// The keys of Tamar's first ten results, as the portal's search page asks for them.
fn tamar_search(index: &SearchIndex, q: &str, lang: Lang) -> anyhow::Result<Vec<String>> {
    let results = index.search(&SearchRequest::new(q, lang))?;
    Ok(results.hits.into_iter().map(|hit| hit.key).collect())
}

/// Hits within the labelled rank, and reciprocal ranks (0 when not in the first ten), per
/// language.
#[derive(Default)]
struct Quality {
    /// (queries, hits, sum of reciprocal ranks) for en, tc, sc.
    by_lang: [(usize, usize, f64); 3],
}

impl Quality {
    fn add(&mut self, lang: Lang, rank: Option<usize>, within: usize) {
        let slot = &mut self.by_lang[lang_index(lang)];
        slot.0 += 1;
        if rank.is_some_and(|r| r < within) {
            slot.1 += 1;
        }
        slot.2 += rank.map_or(0.0, |r| 1.0 / (r + 1) as f64);
    }

    fn all(&self) -> (usize, usize, f64) {
        self.by_lang
            .iter()
            .fold((0, 0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2))
    }

    /// (name, value): hit share and MRR per language and overall.
    fn figures(&self) -> Vec<(String, f64)> {
        let mut out = Vec::new();
        let share = |(n, hits, rr): (usize, usize, f64)| {
            (hits as f64 / n.max(1) as f64, rr / n.max(1) as f64)
        };
        for (lang, slot) in ["en", "tc", "sc"].iter().zip(self.by_lang) {
            let (hits, mrr) = share(slot);
            out.push((format!("hits_{lang}"), hits));
            out.push((format!("mrr_{lang}"), mrr));
        }
        let (hits, mrr) = share(self.all());
        out.push(("hits_all".into(), hits));
        out.push(("mrr_all".into(), mrr));
        out
    }

    fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (name, slot) in ["en", "tc", "sc", "all"]
            .iter()
            .zip(self.by_lang.iter().copied().chain([self.all()]))
        {
            let (n, hits, rr) = slot;
            parts.push(format!(
                "{name} {hits}/{n} (MRR {:.3})",
                rr / n.max(1) as f64
            ));
        }
        parts.join(", ")
    }
}

fn lang_index(lang: Lang) -> usize {
    match lang {
        Lang::En => 0,
        Lang::Tc => 1,
        Lang::Sc => 2,
    }
}

/// The nearest-rank percentile.
fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort_unstable();
    if times.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * times.len() as f64).ceil() as usize;
    times[rank.clamp(1, times.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn folder_size(folder: &Path) -> anyhow::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(folder)? {
        let meta = entry?.metadata()?;
        total += if meta.is_dir() { 0 } else { meta.len() };
    }
    Ok(total)
}
