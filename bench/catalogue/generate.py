#!/usr/bin/env python3
"""Writes a synthetic catalogue in the import format (crates/tamar-web-portal/demo/FORMAT.md):
`generate.py COUNT FILE`. The same every run (fixed seed): services, guides, news and notices
from the demo's departments, over every topic and audience, published over five years."""

import json
import random
import sys
from datetime import datetime, timedelta, timezone

DEPARTMENTS = ["DH", "EDB", "HD", "IMMD", "IRD", "LD", "SWD", "TD"]
TOPICS = ["housing", "education", "employment", "health", "transport", "tax", "immigration",
          "environment", "recreation", "welfare", "safety"]
AUDIENCES = ["residents", "business", "non-residents"]
KINDS = ["service"] * 6 + ["guide", "guide", "news", "notice"]
SUBJECTS = [
    ("parking permit", "泊車許可證", "泊车许可证"), ("youth hostel place", "青年宿舍宿位", "青年宿舍宿位"),
    ("fishing licence", "捕魚牌照", "捕鱼牌照"), ("elderly care voucher", "長者照顧券", "长者照顾券"),
    ("training allowance", "培訓津貼", "培训津贴"), ("stamp duty refund", "印花稅退款", "印花税退款"),
    ("travel document", "旅行證件", "旅行证件"), ("recycling subsidy", "回收資助", "回收资助"),
    ("sports ground booking", "運動場預訂", "运动场预订"), ("childcare subsidy", "幼兒照顧資助", "幼儿照顾资助"),
    ("fire safety certificate", "消防安全證書", "消防安全证书"), ("flat transfer", "單位調遷", "单位调迁"),
]
ACTIONS = [("Apply for a", "申請", "申请"), ("Renew a", "續領", "续领"), ("Replace a", "補領", "补领"),
           ("Change the details of a", "更改", "更改")]
PLACES = [("in Sha Tin", "沙田區", "沙田区"), ("in Kwun Tong", "觀塘區", "观塘区"), ("in Yuen Long", "元朗區", "元朗区"),
          ("in Central and Western", "中西區", "中西区"), ("for businesses", "商業", "商业"), ("by post", "郵寄", "邮寄")]


def text(en, tc, sc):
    return {"en": en, "tc": tc, "sc": sc}


def entry(rng, n, start):
    kind = rng.choice(KINDS)
    subject, action, place = rng.choice(SUBJECTS), rng.choice(ACTIONS), rng.choice(PLACES)
    title = text(f"{action[0]} {subject[0]} {place[0]} ({n})", f"{place[1]}{action[1]}{subject[1]}（{n}）",
                 f"{place[2]}{action[2]}{subject[2]}（{n}）")
    summary = text(f"How to {action[0].lower()} {subject[0]} {place[0]}, who can, and what it costs.",
                   f"{place[1]}{action[1]}{subject[1]}的資格、費用及辦理方法。", f"{place[2]}{action[2]}{subject[2]}的资格、费用及办理方法。")
    body = text(f"You can {action[0].lower()} {subject[0]} online, by post or in person.\n\n"
                f"Bring your Hong Kong identity card and proof of address. Most applications are processed within ten working days.",
                f"你可網上、郵寄或親身{action[1]}{subject[1]}。\n\n請帶同香港身份證及住址證明。大部分申請會在十個工作天內處理。",
                f"你可网上、邮寄或亲身{action[2]}{subject[2]}。\n\n请带同香港身份证及住址证明。大部分申请会在十个工作天内处理。")
    topics = rng.sample(TOPICS, rng.choice([1, 1, 2]))
    audiences = rng.sample(AUDIENCES, rng.choice([1, 1, 2]))
    published = start + timedelta(minutes=n * 26 + rng.randrange(20))
    e = {"slug": f"bench-{kind}-{n:06d}", "department": rng.choice(DEPARTMENTS), "topics": topics,
         "audiences": audiences, "summary": summary, "published": published.isoformat()}
    if kind == "service":
        e.update(name=title, popular=rng.random() < 0.05,
                 eligibility=text("Hong Kong residents aged 18 or over.", "年滿18歲的香港居民。", "年满18岁的香港居民。"),
                 fees=text("HK$ 120.", "港幣120元。", "港币120元。"),
                 how_to_apply=body, channels=["online", "in_person", "post"],
                 processing_time=text("Ten working days.", "十個工作天。", "十个工作天。"),
                 online_url="https://www.gov.hk/en/residents/")
    else:
        e.update(kind=kind, title=title, body=body)
    return e


def main():
    count, path = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(2026)
    # Five years of entries, the newest about a day before now.
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=count * 26 + 1440)
    with open(path, "w", encoding="utf-8") as out:
        json.dump([entry(rng, n, start) for n in range(count)], out, ensure_ascii=False)


if __name__ == "__main__":
    main()
