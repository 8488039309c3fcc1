//! The fixed vocabularies of the catalogue: GovHK's eleven subject clusters, the three
//! audiences, the kinds of item and the channels through which a service is delivered.

use serde::{Deserialize, Serialize};
use tamar_core::Lang;

/// A named value of a fixed vocabulary, with its name in the three languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Term {
    pub slug: &'static str,
    pub en: &'static str,
    pub tc: &'static str,
    pub sc: &'static str,
}

impl Term {
    pub fn name(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Tc => self.tc,
            Lang::Sc => self.sc,
        }
    }
}

/// A subject cluster (a "topic"): the first way GovHK lets people browse.
pub type Topic = Term;

/// Who a service or page is for: GovHK's second way of browsing.
pub type Audience = Term;

pub const TOPICS: [Topic; 11] = [
    Term { slug: "housing", en: "Housing", tc: "住屋", sc: "住屋" },
    Term { slug: "education", en: "Education and training", tc: "教育及培訓", sc: "教育及培训" },
    Term { slug: "employment", en: "Employment and labour", tc: "就業及勞工", sc: "就业及劳工" },
    Term { slug: "health", en: "Health and medical", tc: "衞生及醫療", sc: "卫生及医疗" },
    Term { slug: "transport", en: "Transport and motoring", tc: "交通運輸", sc: "交通运输" },
    Term { slug: "tax", en: "Taxation", tc: "稅務", sc: "税务" },
    Term { slug: "immigration", en: "Immigration, identity and travel", tc: "入境、身份證明及旅遊", sc: "入境、身份证明及旅游" },
    Term { slug: "environment", en: "Environment and weather", tc: "環境及天氣", sc: "环境及天气" },
    Term { slug: "recreation", en: "Recreation, culture and sport", tc: "康樂、文化及體育", sc: "康乐、文化及体育" },
    Term { slug: "welfare", en: "Social welfare and family", tc: "社會福利及家庭", sc: "社会福利及家庭" },
    Term { slug: "safety", en: "Public safety and law", tc: "公共安全及法律", sc: "公共安全及法律" },
];

pub fn topic(slug: &str) -> Option<&'static Topic> {
    TOPICS.iter().find(|t| t.slug == slug)
}

pub const AUDIENCES: [Audience; 3] = [
    Term { slug: "residents", en: "Residents", tc: "市民", sc: "市民" },
    Term { slug: "business", en: "Business and trade", tc: "商務及工業", sc: "商务及工业" },
    Term { slug: "non-residents", en: "Non-residents", tc: "非本地居民", sc: "非本地居民" },
];

pub fn audience(slug: &str) -> Option<&'static Audience> {
    AUDIENCES.iter().find(|a| a.slug == slug)
}

/// What an item of the catalogue is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A service entry: how to get something done.
    Service,
    /// A guide: background and steps across services.
    Guide,
    /// News or a press release.
    News,
    /// A notice: suspensions, relocations, fee revisions.
    Notice,
}

impl ItemKind {
    pub const ALL: [ItemKind; 4] = [ItemKind::Service, ItemKind::Guide, ItemKind::News, ItemKind::Notice];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Service => "service",
            ItemKind::Guide => "guide",
            ItemKind::News => "news",
            ItemKind::Notice => "notice",
        }
    }

    pub fn parse(s: &str) -> Option<ItemKind> {
        ItemKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The first segment of the public address of items of this kind.
    pub fn path_segment(self) -> &'static str {
        match self {
            ItemKind::Service => "services",
            ItemKind::Guide => "guides",
            ItemKind::News => "news",
            ItemKind::Notice => "notices",
        }
    }

    /// The path of an item's public page in `lang`, e.g. `/en/services/renew-vehicle-licence`.
    pub fn page_path(self, lang: Lang, slug: &str) -> String {
        format!("/{}/{}/{slug}", lang.prefix(), self.path_segment())
    }
}

/// How a service can be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Online,
    InPerson,
    Post,
    Phone,
    MobileApp,
}

impl Channel {
    pub const ALL: [Channel; 5] = [Channel::Online, Channel::InPerson, Channel::Post, Channel::Phone, Channel::MobileApp];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::InPerson => "in_person",
            Channel::Post => "post",
            Channel::Phone => "phone",
            Channel::MobileApp => "mobile_app",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }
}
