site-name = Tamar 添马
site-description = 政府资讯及服务，一站提供。
skip-to-content = 跳至主要内容
language-switcher = 语言
nav-main = 主菜单
nav-home = 首页
nav-departments = 政府部门一览
nav-transparency = 透明日志
nav-admin = 平台管理
nav-office = 我的部门
nav-account = 我的账户
nav-sign-in = 登录
nav-sign-out = 登出
footer-about = Tamar 是政府的网上资讯及服务平台。每项更改及每次读取个人资料，均记录于公开而防篡改的日志。
footer-api = 开放应用程序接口

department-code = 代号
department-name-en = 英文名称
department-name-tc = 繁体中文名称
department-name-sc = 简体中文名称
department-website = 网站

transparency-title = 透明日志
transparency-lead = 本平台的每项更改，以及每次读取个人资料，都会加入一个一经改动即可被发现的日志。任何人均可查核。
transparency-head = 最新签署树头
transparency-size = 记录数目
transparency-time = 签署时间
transparency-root = 根哈希值（SHA-256，base64）
transparency-signature = 签名（Ed25519，base64）
transparency-key = 公钥（base64）
transparency-empty = 日志暂时没有记录。
transparency-check = 自行查核
transparency-check-body = 日志是一棵依照 RFC 6962 的默克尔树，与证书透明度（Certificate Transparency）相同。以下端点提供已签署的树头，以及证明任何记录已包含其中、而日志只会增长的证明：
checkpoint-title = 当前的检查点
checkpoint-keep = 请把它另存一份在你自己的地方（存成文本文件）。如果日志末端的记录日后被删去，日志便不再延续你保存的这一份，任何人用它查核都会发现。
transparency-checkpoint-check = 这是最新的已签署树头，采用 C2SP tlog-checkpoint 格式：日志名称、记录数目、根哈希值，以及日志的签名。要用你保存的一份查核日志，请执行 tamar verify-log --trusted-head checkpoint.txt，并以 --public-key 提供下面的密钥。
transparency-checkpoint-format = 最新的检查点，以已签名笔记格式提供
transparency-verifier-key = 日志的验证密钥
transparency-verifier-key-body = 检查点是已签名的笔记（signed note）：透明日志的工具（见证者、Go 的 note 包）会用这个密钥查核。

error-summary-title = 出现问题
error-page-code = 错误代码：
error-page-home = 前往首页

account-title = 我的账户
account-accesses = 谁曾访问你的资料

error-bad_request = 无法理解此请求。
error-invalid_json = 请求内容并非有效的 JSON。
error-invalid_form = 无法读取表格，请再试一次。
error-invalid_query = 查询参数缺失或无效。
error-invalid_input = 部分资料无效。
error-unauthenticated = 你须先登录才可进行此操作。
error-forbidden = 你没有权限进行此操作。
error-csrf_failed = 此表格已过期或并非来自本网站。请返回上一页，重新加载后再试。
error-not_found = 找不到网页。
error-ledger_entry_not_found = 日志中暂时没有此记录。
error-tree_size_out_of_range = 没有此大小的已签署树，或该记录不在其中。
error-tree_head_not_found = 没有此大小的已签署树头。
error-method_not_allowed = 此处不接受该方法。
error-payload_too_large = 请求的内容过大。
error-unsupported_media_type = 请求内容的类型不获接受（应用程序接口只接受 application/json）。
error-too_many_requests = 尝试次数过多，请稍后再试。
error-timeout = 处理时间过长，请再试一次。
error-unavailable = 服务暂时未能提供，请稍后再试。
error-busy = 服务现正繁忙，请于数秒后再试。
error-internal = 抱歉，系统出现问题，我们已作记录。

account-verify-identity = 核实身份，以使用需要核实身份的服务

error-mfa_required = 请先设置双重认证登录。

oidc-scope-openid = 只有此服务才会看到的识别码
oidc-scope-profile = 你的英文及中文姓名
oidc-scope-email = 你的电邮地址
oidc-scope-hkid = 你的香港身份证号码（部分隐藏，例如 A123***(3)）
oidc-scope-birthdate = 你的出生日期
releases-title = 已提供给服务的资料
error-reauthentication_required = 为保障你的安全，请再次登录后才进行此操作。

error-conflict = 在目前状态下无法进行此操作。
oidc-scope-address = 你的地址
oidc-scope-phone = 你的电话号码
oidc-scope-hkid_full = 你完整的香港身份证号码

# Portal (GovHK and MyGovHK)
applications-title = 我的申请
bills-title = 我的账单
apps-title = 政府流动应用程式
bookmarks-title = 我的书签
feed-link = 新闻订阅（Atom）
footer-sitemap = 网站地图
inbox-title = 我的收件匣
mygov-nav = 我的帐户
nav-content = 内容
nav-news = 新闻
nav-search = 搜寻
prefill-title = 预填设定
subscriptions-title = 电邮更新

# Changes that need the password and second factor again
proof-password = 你的密码
proof-code = 验证应用程序的编码
proof-code-hint = 或其中一个备用编码。

## Rules that input breaks, in the `details` of a validation error
rule-required = 必须填写
rule-too_long = 内容过长
rule-control_characters = 包含无法显示的字符
rule-format = 格式不正确
rule-unknown_value = 不是可接受的选项
rule-out_of_range = 超出许可范围
rule-inconsistent = 与表格其他内容不符
