//! Full-text search of the portal catalogue, in English, Traditional and Simplified Chinese.
//!
//! [`SearchIndex`] wraps a tantivy index of [`SearchDoc`]s (services, guides, news and
//! notices), in memory or in a folder. One writer (behind a mutex) stages upserts and
//! deletions; searches read the last commit and run concurrently, so the web server shares
//! one index through an `Arc`. Each commit can carry a cursor, the position reached in the
//! catalogue's change feed, so that a restarted server resumes where the index stands.
//!
//! # Fields
//!
//! Title, summary and body are each indexed three times, `_en`, `_tc` and `_sc`. Titles and
//! summaries are stored for display; bodies are not. Key and kind are stored as is;
//! popularity, update time and a title sort key are fast fields; kind, topics, departments
//! and audiences are facet fields, counted for the matched set. A `suggest` field holds the
//! three titles again, for search-as-you-type.
//!
//! # Analysers
//!
//! * English (`tamar_en`): words split at anything not a letter or digit, lowercased,
//!   folded to ASCII, English stop words dropped, Porter-2 stemmed ("renewal" → "renew").
//! * Chinese (`tamar_zh`), for both `tc` and `sc`: the text is first folded to Simplified
//!   with OpenCC's Hong Kong table, then cut by jieba in search mode, which emits the
//!   dictionary words inside longer words too. Latin words inside Chinese text ("BIR60",
//!   "HK$") become lowercased tokens. Token offsets point into the original text, so
//!   highlights show the characters the reader wrote, Traditional or Simplified.
//! * Suggest (`tamar_suggest`): Latin words lowercased but not stemmed, and each Han
//!   character on its own, folded to Simplified, so typed characters match anywhere in a
//!   title.
//!
//! **Why fold Chinese to Simplified.** Hong Kong content is written in Traditional, with
//! Simplified produced from it, but people search in both: a mainland visitor types 驾驶执照,
//! a resident 駕駛執照. Folding both the documents and the queries to one script makes them
//! meet whatever either was written in, and lets one jieba dictionary (which is Simplified)
//! cut both well. The conversion is character for character in practice, which is what lets
//! offsets map back to the original. [`to_simplified`] is the same converter, for the portal
//! to produce Simplified pages from Traditional.
//!
//! # Ranking
//!
//! Every word typed must match somewhere, in any field and language, literally, through a
//! typo or through a synonym; when that finds nothing, any word may match, and
//! [`SearchResults::all_words_matched`] says so. Scores are BM25, with a title match
//! weighted 4, a summary match 2 and a body match 1. An English word of 5 to 8 letters that
//! no document has is read as the index's words one typo away (a transposition counts as
//! one), a longer one two typos away: the six most frequent of them, each scored by BM25 like
//! a word typed, at 0.7 of its weight ("pasport renewal" finds passport renewal ahead of
//! every other renewal). A word that some document has gets no corrections, so a correct
//! spelling never loses to a neighbour ("rates" is not "dates"). Words that stand together
//! in a document, in order (within three
//! positions), add a proximity bonus. Popularity multiplies the score by at most 1.1, on a
//! logarithmic scale, so it breaks near-ties without outranking relevance. An empty query
//! browses the filtered catalogue by popularity, then title.
//!
//! # Synonyms
//!
//! `data/synonyms.txt` holds groups of words and phrases in the three languages ("tax,
//! taxation, 稅務, 报税"). Members are matched against the query on analysed keys (English
//! stems, Chinese folded to Simplified), longest first; a matched member's clause is
//! satisfied by its own words or by any other member of its group as a phrase, the latter
//! at half weight. So "tax" finds a document that only says 稅務, and 駕駛執照 finds one that
//! only says "driving licence". Chinese members are also taught to jieba as words, so they
//! are cut the same way in documents and queries.
//!
//! # Using it
//!
//! `SearchIndex::open` registers the analysers with the index itself: nothing to set up.
//! Open one `SearchIndex` per folder per process (tantivy locks the folder for its writer)
//! and share it through an `Arc`; it is `Send + Sync`. `upsert`, `delete` and `clear` only
//! stage changes, which searches see after `commit` or `commit_with_cursor`; after a bulk
//! load, `merge_segments` makes searches faster. Writers wait
//! for one another on a mutex, searches never wait. Every call does blocking work (CPU,
//! and file I/O for an index on disk): from async code, call it through
//! `tokio::task::spawn_blocking`. The jieba dictionary and the conversion tables are
//! loaded once per process, on the first `open`.

mod analysis;
mod error;
mod model;
mod query;
pub mod request;
mod schema;
mod synonyms;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use tamar_core::Lang;
use tantivy::collector::{Count, FacetCollector, FacetCounts, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{Facet, Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexSettings, IndexWriter, ReloadPolicy, Score, Searcher,
    SegmentReader, TantivyDocument, TantivyError, Term,
};

pub use analysis::to_simplified;
pub use error::{Result, SearchError};
pub use model::{
    DocKind, Facets, Hit, SearchDoc, SearchRequest, SearchResults, Suggestion, Texts,
    UnknownDocKind,
};
pub use request::{Filters, InvalidRequest, SuggestRequest};

use crate::analysis::{CHINESE, ENGLISH, SUGGEST, analyze};
use crate::model::display_lang;
use crate::query::{Analyzers, Plan};
use crate::schema::{FACET_NAMES, Fields, LangFields, POPULARITY, TITLE_SORT};

/// The writer's indexing memory: enough for the catalogue in one segment, small enough for
/// a two-core server.
const WRITER_MEMORY: usize = 32 * 1024 * 1024;
/// Bytes of stored documents compressed together.
const DOCSTORE_BLOCK: usize = 4096;
/// How long `merge_segments` waits for background merges to let go of segments.
const MERGE_PATIENCE: std::time::Duration = std::time::Duration::from_secs(120);
/// Summaries up to this many bytes are shown whole; longer ones as a fragment.
const SUMMARY_BYTES: usize = 480;

/// The full-text index of the portal catalogue. `Send + Sync`: share it through an `Arc`.
pub struct SearchIndex {
    reader: IndexReader,
    writer: Mutex<Writer>,
    /// The cursor of the last commit, readable without waiting for the writer.
    committed_cursor: Mutex<Option<String>>,
    /// The owner's word that the index has caught up with its source: see `mark_caught_up`.
    caught_up: AtomicBool,
    fields: Fields,
    analyzers: Analyzers,
}

struct Writer {
    inner: IndexWriter,
    /// The cursor the next commit records; starts as the last committed one.
    cursor: Option<String>,
}

impl SearchIndex {
    /// The most hits one request returns.
    pub const MAX_LIMIT: usize = 200;

    /// Opens the index in `dir`, creating the folder and an empty index if missing, or a
    /// fresh index in memory with `None`. An index in `dir` with other fields (written by
    /// another version) is replaced by an empty one, whose `cursor` is `None`. Only one
    /// `SearchIndex` may be open on a folder at a time (tantivy holds a lock for its writer).
    pub fn open(dir: Option<&Path>) -> Result<SearchIndex> {
        let (schema, fields) = schema::build();
        // A search reads ten stored documents, each from a block it decompresses whole:
        // small blocks keep that short (tantivy's default is 16 KiB).
        let builder = || {
            Index::builder().schema(schema.clone()).settings(IndexSettings {
                docstore_blocksize: DOCSTORE_BLOCK,
                ..IndexSettings::default()
            })
        };
        let index = match dir {
            None => builder().create_in_ram()?,
            Some(dir) => {
                std::fs::create_dir_all(dir)?;
                match builder().open_or_create(MmapDirectory::open(dir)?) {
                    // An index written by another version of Tamar, with other fields. It
                    // holds nothing that the catalogue does not: start a new one, which
                    // reports no cursor, so that its owner rebuilds it.
                    Err(TantivyError::SchemaError(reason)) => {
                        tracing::warn!(
                            %reason,
                            folder = %dir.display(),
                            "the search index has other fields; starting a new one"
                        );
                        std::fs::remove_dir_all(dir)?;
                        std::fs::create_dir_all(dir)?;
                        builder().create_in_dir(dir)?
                    }
                    opened => opened?,
                }
            }
        };
        let analyzers = Analyzers {
            english: analysis::english_analyzer(),
            chinese: analysis::chinese_analyzer(),
            suggest: analysis::suggest_analyzer(),
        };
        let tokenizers = index.tokenizers();
        tokenizers.register(ENGLISH, analyzers.english.clone());
        tokenizers.register(CHINESE, analyzers.chinese.clone());
        tokenizers.register(SUGGEST, analyzers.suggest.clone());
        let inner: IndexWriter = index.writer_with_num_threads(1, WRITER_MEMORY)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let cursor = index.load_metas()?.payload;
        // Load the dictionaries now rather than on the first request.
        let _ = analysis::to_simplified("預熱");
        let _ = query::split_units("warm 預熱", &analyzers.english);
        Ok(SearchIndex {
            reader,
            committed_cursor: Mutex::new(cursor.clone()),
            caught_up: AtomicBool::new(false),
            writer: Mutex::new(Writer { inner, cursor }),
            fields,
            analyzers,
        })
    }

    fn writer(&self) -> Result<MutexGuard<'_, Writer>> {
        self.writer.lock().map_err(|_| SearchError::WriterPoisoned)
    }

    /// Stages documents, replacing any with the same key. Visible after `commit`.
    pub fn upsert(&self, docs: &[SearchDoc]) -> Result<()> {
        let writer = self.writer()?;
        for doc in docs {
            writer
                .inner
                .delete_term(Term::from_field_text(self.fields.key, &doc.key));
            writer.inner.add_document(self.document(doc))?;
        }
        Ok(())
    }

    /// Stages the removal of the documents with these keys. Visible after `commit`.
    pub fn delete<S: AsRef<str>>(&self, keys: &[S]) -> Result<()> {
        let writer = self.writer()?;
        for key in keys {
            writer
                .inner
                .delete_term(Term::from_field_text(self.fields.key, key.as_ref()));
        }
        Ok(())
    }

    /// Discards staged changes and stages the removal of every document, and forgets the
    /// cursor: the index is to be rebuilt from the start of the feed. Visible after
    /// `commit` or `commit_with_cursor`.
    pub fn clear(&self) -> Result<()> {
        let mut writer = self.writer()?;
        writer.inner.rollback()?;
        writer.inner.delete_all_documents()?;
        writer.cursor = None;
        Ok(())
    }

    /// Makes staged changes durable and visible to searches, keeping the current cursor.
    pub fn commit(&self) -> Result<()> {
        let mut writer = self.writer()?;
        let cursor = writer.cursor.clone();
        self.commit_locked(&mut writer, cursor)
    }

    /// Like `commit`, recording `cursor` with the commit, atomically: after a crash the
    /// index holds exactly the changes up to the cursor it reports.
    pub fn commit_with_cursor(&self, cursor: &str) -> Result<()> {
        let mut writer = self.writer()?;
        self.commit_locked(&mut writer, Some(cursor.to_owned()))
    }

    fn commit_locked(&self, writer: &mut Writer, cursor: Option<String>) -> Result<()> {
        let mut prepared = writer.inner.prepare_commit()?;
        if let Some(cursor) = &cursor {
            prepared.set_payload(cursor);
        }
        prepared.commit()?;
        *self
            .committed_cursor
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = cursor.clone();
        writer.cursor = cursor;
        self.reader.reload()?;
        Ok(())
    }

    /// Records that the index holds everything its source had when its owner started
    /// following it (a node is not ready to serve searches before). Never unset: a later lag
    /// of a few changes is the normal delay of following, not unreadiness.
    pub fn mark_caught_up(&self) {
        self.caught_up.store(true, Ordering::Release);
    }

    /// Whether `mark_caught_up` was called; `false` for a newly opened index.
    pub fn is_caught_up(&self) -> bool {
        self.caught_up.load(Ordering::Acquire)
    }

    /// The cursor recorded by the last `commit_with_cursor` (kept by later plain commits,
    /// dropped by `clear`), as of the last commit; `None` for a new index.
    pub fn cursor(&self) -> Option<String> {
        self.committed_cursor
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Merges the committed segments into one, and makes searches use it. A bulk load (a
    /// rebuild) leaves one segment per writer flush, and each segment costs every search a
    /// term lookup per clause and a facet mapping per facet; one segment makes searches
    /// about half as long at 100,000 entries. Waits for the background merges that the last
    /// commit started, which hold some of the segments, then merges the rest. Staged
    /// changes stay staged. Returns the number of segments before.
    pub fn merge_segments(&self) -> Result<usize> {
        let mut writer = self.writer()?;
        let index = self.reader.searcher().index().clone();
        let before = index.searchable_segment_ids()?.len();
        let started = std::time::Instant::now();
        loop {
            let ids = index.searchable_segment_ids()?;
            if ids.len() <= 1 {
                break;
            }
            match writer.inner.merge(&ids).wait() {
                Ok(_) => {}
                // Some segments are in a background merge: wait for it, then try again.
                Err(error) if started.elapsed() < MERGE_PATIENCE => {
                    tracing::debug!(%error, "segments busy; merging again shortly");
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                Err(error) => return Err(error.into()),
            }
        }
        self.reader.reload()?;
        Ok(before)
    }

    /// How many segments searches read.
    pub fn segment_count(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    /// How many documents the last commit holds.
    pub fn doc_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    fn document(&self, doc: &SearchDoc) -> TantivyDocument {
        let f = &self.fields;
        let mut out = TantivyDocument::new();
        out.add_text(f.key, &doc.key);
        out.add_text(f.kind, doc.kind.as_str());
        out.add_text(f.department, &doc.department);
        for (fields, texts) in [
            (f.title, &doc.title),
            (f.summary, &doc.summary),
            (f.body, &doc.body),
        ] {
            out.add_text(fields.en, &texts.en);
            out.add_text(fields.tc, &texts.tc);
            out.add_text(fields.sc, &texts.sc);
        }
        for title in [&doc.title.en, &doc.title.tc, &doc.title.sc] {
            if !title.is_empty() {
                out.add_text(f.suggest, title);
            }
        }
        out.add_u64(f.popularity, doc.popularity);
        out.add_i64(f.updated_at, doc.updated_at);
        out.add_text(f.title_sort, doc.title.display(Lang::En).to_lowercase());
        let [kind, topic, department, audience] = f.facets;
        let kind_name = [doc.kind.as_str()];
        let values: [(Field, &[_]); 4] = [
            (kind, &kind_name[..]),
            (topic, &as_strs(&doc.topics)[..]),
            (department, &[doc.department.as_str()][..]),
            (audience, &as_strs(&doc.audiences)[..]),
        ];
        for (field, values) in values {
            for value in values.iter().filter(|value| !value.is_empty()) {
                out.add_facet(field, Facet::from_path([*value]));
            }
        }
        out
    }

    /// Searches the catalogue. See the crate documentation for how results are ranked.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let searcher = self.reader.searcher();
        let filters = self.filters(req);
        let browse = req.q.trim().is_empty();
        let lexicon = IndexLexicon {
            searcher: &searcher,
            fields: [self.fields.title.en, self.fields.summary.en, self.fields.body.en],
        };
        let plan = query::plan(&req.q, &self.fields, &self.analyzers, &lexicon);
        if !browse && plan.is_empty() {
            // Only stop words or punctuation: nothing to look for.
            return Ok(SearchResults {
                total: 0,
                hits: Vec::new(),
                facets: Facets::default(),
                all_words_matched: true,
            });
        }
        let text_query = |all_required: bool| -> Box<dyn Query> {
            if browse {
                Box::new(AllQuery)
            } else {
                plan.query(all_required)
            }
        };
        let limit = req.limit.min(Self::MAX_LIMIT);
        // One pass collects the count, every facet and the page of hits.
        let run = |text: &dyn Query| -> Result<Pass> {
            let query = with_filters(text, &filters, None);
            let [kind, topic, department, audience] = FACET_NAMES.map(root_facet_collector);
            let facets = (kind, topic, department, audience);
            // TopDocs needs a limit of at least one; a request for none drops it afterwards.
            let top = TopDocs::with_limit(limit.max(1)).and_offset(req.offset);
            let (total, (kind, topic, department, audience), mut page) = if browse {
                let (total, facets, page) = searcher.search(&*query, &(Count, facets, top.order_by(browse_order)))?;
                (total, facets, page.into_iter().map(|(_, address)| (0.0, address)).collect::<Vec<_>>())
            } else {
                searcher.search(&*query, &(Count, facets, top.tweak_score(popularity_nudge)))?
            };
            if limit == 0 {
                page.clear();
            }
            Ok((total, [kind, topic, department, audience], page))
        };
        let mut all_words_matched = true;
        let mut text = text_query(true);
        let (mut total, mut counts, mut page) = run(&*text)?;
        if total == 0 && !browse && plan.concept_count() > 1 {
            all_words_matched = false;
            text = text_query(false);
            (total, counts, page) = run(&*text)?;
        }

        // A facet with a filter of its own is counted again over the query without it, so
        // the alternatives stay on offer.
        let mut facet_counts = counts.each_ref().map(counts_of);
        for (facet, (name, slot)) in FACET_NAMES.iter().zip(facet_counts.iter_mut()).enumerate() {
            if filters.get(facet).is_some_and(Option::is_some) {
                let counts = searcher.search(
                    &*with_filters(&*text, &filters, Some(facet)),
                    &root_facet_collector(name),
                )?;
                *slot = counts_of(&counts);
            }
        }
        let [kinds, topics, departments, audiences] = facet_counts;
        let facets = Facets {
            kinds,
            topics,
            departments,
            audiences,
        };

        let highlighter = Highlighter::new(&plan, &self.fields, &self.analyzers);
        let mut hits = Vec::with_capacity(page.len());
        for (score, address) in page {
            let doc: TantivyDocument = searcher.doc(address)?;
            let Some(kind) = stored_str(&doc, self.fields.kind).and_then(|kind| kind.parse().ok())
            else {
                tracing::warn!(?address, "search hit without a kind; skipped");
                continue;
            };
            hits.push(Hit {
                key: stored_str(&doc, self.fields.key)
                    .unwrap_or_default()
                    .to_owned(),
                kind,
                department: stored_str(&doc, self.fields.department).unwrap_or_default().to_owned(),
                score,
                title_html: highlighter.html(&doc, self.fields.title, req.lang, usize::MAX),
                summary_html: highlighter.html(&doc, self.fields.summary, req.lang, SUMMARY_BYTES),
            });
        }
        Ok(SearchResults {
            total,
            hits,
            facets,
            all_words_matched,
        })
    }

    /// The filter clause of each facet, `None` where the request has no filter on it.
    fn filters(&self, req: &SearchRequest) -> Vec<Option<Box<dyn Query>>> {
        let values = [&req.kinds, &req.topics, &req.departments, &req.audiences];
        self.fields
            .facets
            .iter()
            .zip(values)
            .map(|(&field, values)| {
                let any_of: Vec<(Occur, Box<dyn Query>)> = values
                    .iter()
                    .filter(|value| !value.is_empty())
                    .map(|value| {
                        let term = Term::from_facet(field, &Facet::from_path([value.as_str()]));
                        (
                            Occur::Should,
                            Box::new(TermQuery::new(term, IndexRecordOption::Basic))
                                as Box<dyn Query>,
                        )
                    })
                    .collect();
                (!any_of.is_empty()).then(|| {
                    // Filters narrow the results without touching their scores.
                    Box::new(ConstScoreQuery::new(
                        Box::new(BooleanQuery::new(any_of)),
                        0.0,
                    )) as Box<dyn Query>
                })
            })
            .collect()
    }

    /// Completions for search-as-you-type: titles in which every word typed appears, the
    /// last one possibly unfinished (the start of an English word, or Chinese characters
    /// that appear together), most popular first.
    pub fn suggest(&self, prefix: &str, lang: Lang, limit: usize) -> Result<Vec<Suggestion>> {
        let limit = limit.min(Self::MAX_LIMIT);
        let words: Vec<&str> = prefix.split_whitespace().collect();
        if words.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let last_is_partial = !prefix.ends_with(char::is_whitespace);
        let field = self.fields.suggest;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (at, word) in words.iter().enumerate() {
            let tokens = analyze(&self.analyzers.suggest, word);
            let partial = last_is_partial && at + 1 == words.len();
            // Runs of Han characters must appear together; Latin words each on their own.
            let mut han_run: Vec<(usize, String)> = Vec::new();
            let count = tokens.len();
            for (index, (position, token)) in tokens.into_iter().enumerate() {
                let is_han = token.chars().any(analysis::is_han);
                if is_han {
                    han_run.push((position, token));
                    continue;
                }
                push_han_run(&mut clauses, field, &mut han_run);
                let term = Term::from_field_text(field, &token);
                let query: Box<dyn Query> = if partial && index + 1 == count {
                    Box::new(FuzzyTermQuery::new_prefix(term, 0, false))
                } else {
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
                };
                clauses.push((Occur::Must, query));
            }
            push_han_run(&mut clauses, field, &mut han_run);
        }
        if clauses.is_empty() {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let top = searcher.search(
            &BooleanQuery::new(clauses),
            &TopDocs::with_limit(limit).tweak_score(popularity_then_score),
        )?;
        let mut suggestions = Vec::with_capacity(top.len());
        for (_, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let title = self.fields.title;
            let (_, text) = display_lang(
                lang,
                stored_str(&doc, title.en).unwrap_or_default(),
                stored_str(&doc, title.tc).unwrap_or_default(),
                stored_str(&doc, title.sc).unwrap_or_default(),
            );
            suggestions.push(Suggestion {
                key: stored_str(&doc, self.fields.key)
                    .unwrap_or_default()
                    .to_owned(),
                title: text.to_owned(),
            });
        }
        Ok(suggestions)
    }
}

fn as_strs(values: &[String]) -> Vec<&str> {
    values.iter().map(String::as_str).collect()
}

fn push_han_run(
    clauses: &mut Vec<(Occur, Box<dyn Query>)>,
    field: Field,
    run: &mut Vec<(usize, String)>,
) {
    if let Some(query) = query::term_or_phrase(field, run, 0) {
        clauses.push((Occur::Must, query));
    }
    run.clear();
}

/// What one pass over the matches collects: their number, the four facets' counts and the
/// page of hits.
type Pass = (usize, [FacetCounts; 4], Vec<(Score, DocAddress)>);

/// The text query narrowed by every facet filter but `except`'s.
fn with_filters(
    text: &dyn Query,
    filters: &[Option<Box<dyn Query>>],
    except: Option<usize>,
) -> Box<dyn Query> {
    let mut parts: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text.box_clone())];
    for (at, filter) in filters.iter().enumerate() {
        if Some(at) == except {
            continue;
        }
        if let Some(filter) = filter {
            parts.push((Occur::Must, filter.box_clone()));
        }
    }
    Box::new(BooleanQuery::new(parts))
}

fn root_facet_collector(name: &str) -> FacetCollector {
    let mut collector = FacetCollector::for_field(name);
    collector.add_facet(Facet::root());
    collector
}

/// Facet counts, most frequent first, then by value.
fn counts_of(counts: &FacetCounts) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = counts
        .get(Facet::root())
        .filter_map(|(facet, count)| {
            facet
                .to_path()
                .last()
                .map(|value| ((*value).to_owned(), count))
        })
        .collect();
    out.sort_by(|(a, a_count), (b, b_count)| b_count.cmp(a_count).then_with(|| a.cmp(b)));
    out
}

/// Popularity for each document of a segment, 0 where the column cannot be read.
fn popularity_column(segment: &SegmentReader) -> impl Fn(DocId) -> u64 + use<> {
    let column = segment
        .fast_fields()
        .u64(POPULARITY)
        .ok()
        .map(|column| column.first_or_default_col(0));
    move |doc| column.as_ref().map_or(0, |column| column.get_val(doc))
}

/// Relevance times at most 1.1: a million visits is the top of the scale, and the logarithm
/// keeps a hundredfold gap in visits to a small nudge.
fn popularity_nudge(segment: &SegmentReader) -> impl Fn(DocId, Score) -> Score + use<> {
    let popularity = popularity_column(segment);
    // log2(1 + 1,000,000)
    const TOP: f32 = 19.931_57;
    move |doc, score| {
        let scale = (log2_1p(popularity(doc)) / TOP).min(1.0);
        score * (1.0 + 0.1 * scale)
    }
}

/// log2(1 + n), within 0.09, and never decreasing as `n` grows: read off the bits of a
/// float, whose exponent is the whole part of the logarithm and whose mantissa, taken as a
/// fraction, is close to the rest. Called for every match of every search, where a libm
/// logarithm took a tenth of the time.
fn log2_1p(n: u64) -> f32 {
    let x = n as f32 + 1.0;
    x.to_bits() as f32 / (1u32 << 23) as f32 - 127.0
}

fn popularity_then_score(segment: &SegmentReader) -> impl Fn(DocId, Score) -> (u64, Score) + use<> {
    let popularity = popularity_column(segment);
    move |doc, score| (popularity(doc), score)
}

/// Browsing order: most popular first, then by English title.
fn browse_order(
    segment: &SegmentReader,
) -> impl FnMut(DocId) -> (u64, std::cmp::Reverse<String>) + use<> {
    let popularity = popularity_column(segment);
    let titles = segment.fast_fields().str(TITLE_SORT).ok().flatten();
    move |doc| {
        let mut title = String::new();
        if let Some(titles) = &titles
            && let Some(ord) = titles.term_ords(doc).next()
            && titles.ord_to_str(ord, &mut title).is_err()
        {
            title.clear();
        }
        (popularity(doc), std::cmp::Reverse(title))
    }
}

fn stored_str(doc: &TantivyDocument, field: Field) -> Option<&str> {
    doc.get_first(field).and_then(|value| value.as_str())
}

/// Marks query terms in titles and summaries.
struct Highlighter {
    english_terms: BTreeMap<String, Score>,
    chinese_terms: BTreeMap<String, Score>,
    english: TextAnalyzer,
    chinese: TextAnalyzer,
    /// Only names the generator's field; texts are passed in directly.
    field: Field,
}

impl Highlighter {
    fn new(
        plan: &Plan,
        fields: &Fields,
        analyzers: &Analyzers,
    ) -> Highlighter {
        Highlighter {
            // Corrections of typos are among them, so a page shows what a typo matched.
            english_terms: plan.english_terms.clone(),
            chinese_terms: plan.chinese_terms.clone(),
            english: analyzers.english.clone(),
            chinese: analyzers.chinese.clone(),
            field: fields.title.en,
        }
    }

    /// The field's text in `lang` (with fallback), escaped, with query terms in `<mark>`;
    /// texts longer than `max_bytes` are cut to their best fragment.
    fn html(
        &self,
        doc: &TantivyDocument,
        fields: LangFields,
        lang: Lang,
        max_bytes: usize,
    ) -> String {
        let (shown, text) = display_lang(
            lang,
            stored_str(doc, fields.en).unwrap_or_default(),
            stored_str(doc, fields.tc).unwrap_or_default(),
            stored_str(doc, fields.sc).unwrap_or_default(),
        );
        let (terms, analyzer) = match shown {
            Lang::En => (&self.english_terms, &self.english),
            Lang::Tc | Lang::Sc => (&self.chinese_terms, &self.chinese),
        };
        // A text that fits is shown whole: the generator finds the terms, the rendering keeps
        // every character (a fragment ends at the last token, dropping closing punctuation).
        let whole = text.len() <= max_bytes;
        let window = if whole { text.len() + 1 } else { max_bytes };
        let generator = SnippetGenerator::new(terms.clone(), analyzer.clone(), self.field, window);
        let mut snippet = generator.snippet(text);
        if whole {
            let start = snippet.fragment_range().start;
            let marks: Vec<_> = snippet
                .highlighted()
                .iter()
                .map(|range| range.start + start..range.end + start)
                .collect();
            return render_marked(text, &marks);
        }
        if snippet.is_empty() {
            let mut cut = max_bytes;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            return format!("{}…", escape_html(text.get(..cut).unwrap_or_default()));
        }
        snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
        let range = snippet.fragment_range();
        let mut html = String::new();
        if range.start > 0 {
            html.push('…');
        }
        html.push_str(&snippet.to_html());
        if range.end < text.len() {
            html.push('…');
        }
        html
    }
}

fn render_marked(text: &str, marks: &[std::ops::Range<usize>]) -> String {
    let mut html = String::with_capacity(text.len() + 16);
    let mut at = 0;
    for mark in tantivy::snippet::collapse_overlapped_ranges(marks) {
        let (Some(before), Some(marked)) = (text.get(at..mark.start), text.get(mark.clone()))
        else {
            continue;
        };
        html.push_str(&escape_html(before));
        html.push_str("<mark>");
        html.push_str(&escape_html(marked));
        html.push_str("</mark>");
        at = mark.end;
    }
    html.push_str(&escape_html(text.get(at..).unwrap_or_default()));
    html
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The English vocabulary of the index, as the query planner asks about it.
struct IndexLexicon<'a> {
    searcher: &'a Searcher,
    fields: [Field; 3],
}

impl query::Lexicon for IndexLexicon<'_> {
    fn knows(&self, term: &str) -> bool {
        self.fields.iter().any(|&field| {
            self.searcher
                .doc_freq(&Term::from_field_text(field, term))
                .is_ok_and(|n| n > 0)
        })
    }

    fn near(&self, term: &str, distance: u8, limit: usize) -> Vec<String> {
        // The automaton depends on the text alone, not on the field it is built with.
        let query = FuzzyTermQuery::new(Term::from_field_text(self.fields[0], term), distance, true);
        let Ok(automaton) = query.automaton() else {
            return Vec::new();
        };
        let mut found: BTreeMap<String, u64> = BTreeMap::new();
        for field in self.fields {
            for segment in self.searcher.segment_readers() {
                let Ok(index) = segment.inverted_index(field) else {
                    continue;
                };
                let Ok(mut stream) = index.terms().search(&automaton).into_stream() else {
                    continue;
                };
                while stream.advance() {
                    if let Ok(text) = std::str::from_utf8(stream.key()) {
                        *found.entry(text.to_owned()).or_default() += u64::from(stream.value().doc_freq);
                    }
                }
            }
        }
        let mut found: Vec<(String, u64)> = found.into_iter().collect();
        found.sort_by(|(a, a_freq), (b, b_freq)| b_freq.cmp(a_freq).then_with(|| a.cmp(b)));
        found.into_iter().take(limit).map(|(term, _)| term).collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::log2_1p;

    #[test]
    fn log2_1p_is_close_and_never_decreases() {
        let mut last = f32::MIN;
        for n in (0..2_000_000u64).step_by(37).chain([u64::MAX / 2, u64::MAX]) {
            let approx = log2_1p(n);
            let exact = ((n as f64) + 1.0).log2() as f32;
            assert!((approx - exact).abs() < 0.09, "n {n}: {approx} against {exact}");
            assert!(approx >= last, "n {n}: {approx} after {last}");
            last = approx;
        }
        assert_eq!(log2_1p(0), 0.0);
    }
}
