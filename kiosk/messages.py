"""What the volunteer reads: one plain sentence per reason code, in Chinese or English.

Whole sentences with named fields, never fragments glued together, so a translator sees
the sentence as it will be read.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the words depend on the model's shape, never at import time
    from kiosk.model import Verdict

LANGS = ("zh", "en")

VERDICT = {
    "zh": {
        "not_a_card": "不是本社区的出入证，请出示出入证二维码",
        "wrong_community": "不是本社区的出入证",
        "bad_signature": "出入证无效（疑似伪造），请联系楼栋长",
        "unknown_card": "查无此卡，请到社区办公室登记",
        "revoked": "此卡已作废，请使用新卡或到社区办公室",
        "suspended": "此卡已暂停使用，请联系社区办公室",
        "expired": "此卡已于{valid_to}过期",
        "not_yet_valid": "此卡自{valid_from}起生效",
        "temperature_required": "请先测体温，再扫码",
        "temperature_implausible": "体温读数{reading}不合理，请重新测量",
        "temperature_unit": "读数{reading}像是华氏度，请用摄氏度重新测量",
        "temperature_low": "体温{reading}℃偏低，请稍候重新测量",
        "fever_retest": "体温{reading}℃，请在旁休息{wait_min}分钟后复测",
        "retest_too_soon": "请再休息{remaining_min}分钟后复测（首测{first}℃）",
        "fever_confirmed": "复测{reading}℃仍发热，请引导至观察点并报告",
        "already_out": "此卡已外出未返回，不能再次外出",
        "quota_used": "本户本期已外出，{next_exit}起可再外出",
        "work_quota_used": "工作卡今日已外出，{next_exit}起可再外出",
        "outside_hours": "工作卡仅限{hours}外出",
        "reason_required": "特殊卡外出请选择事由",
        "ok_out": "放行，本期已用{used}/{limit}次",
        "ok_out_free": "放行",
        "ok_in": "欢迎回家",
        "ok_in_without_exit": "欢迎回家（无外出记录）",
        "override": "已由{operator}特批放行",
        # the mask check (setting mask.check)
        "mask_unconfirmed": "请点选是否佩戴口罩，再扫码",
        "mask_missing": "未戴口罩：请发放口罩，戴好后重新扫码",
        "mask_required": "未戴口罩，按本社区规定不得通行",
        "already_out_since": "已于{out_time}从{gate}外出，尚未返回，不能再次外出",
        "already_out_since_day": "已于{out_at}从{gate}外出，尚未返回，不能再次外出",
        "gate_unnamed": "{gate_id}号闸口",
    },
    "en": {
        "not_a_card": "Not a pass card of this community: show the card's QR code",
        "wrong_community": "This card belongs to another community",
        "bad_signature": "Invalid card (possibly forged): call the building lead",
        "unknown_card": "Card not found: register at the community office",
        "revoked": "This card was revoked: use the new card or go to the office",
        "suspended": "This card is suspended: contact the community office",
        "expired": "This card expired on {valid_to}",
        "not_yet_valid": "This card is valid from {valid_from}",
        "temperature_required": "Take the temperature first, then scan",
        "temperature_implausible": "Reading {reading} is not plausible: measure again",
        "temperature_unit": "Reading {reading} looks like °F: measure again in °C",
        "temperature_low": "{reading} °C is low: wait a moment and measure again",
        "fever_retest": "{reading} °C: rest {wait_min} minutes, then retest",
        "retest_too_soon": "Rest {remaining_min} more minutes before the retest (first {first} °C)",
        "fever_confirmed": "Retest {reading} °C, still fever: take to the observation point and report",
        "already_out": "This card is already out: it cannot go out again",
        "quota_used": "This household has used its exit: next exit from {next_exit}",
        "work_quota_used": "Work card already used today: next exit from {next_exit}",
        "outside_hours": "Work cards go out only {hours}",
        "reason_required": "Special card: choose a reason for going out",
        "ok_out": "Go ahead: {used} of {limit} exits used",
        "ok_out_free": "Go ahead",
        "ok_in": "Welcome home",
        "ok_in_without_exit": "Welcome home (no exit on record)",
        "override": "Let through by {operator}",
        # the mask check (setting mask.check)
        "mask_unconfirmed": "Tap whether a mask is worn, then scan again",
        "mask_missing": "No mask: hand out a mask, then scan again once it is on",
        "mask_required": "No mask: this community's rule does not let them pass",
        "already_out_since": "Went out at {out_time} through {gate} and is not back: cannot go out again",
        "already_out_since_day": "Went out {out_at} through {gate} and is not back: cannot go out again",
        "gate_unnamed": "gate {gate_id}",
    },
}


def day(date: dt.date, lang: str) -> str:
    """A date as people say it: 2月12日 / 12 Feb."""
    return f"{date.month}月{date.day}日" if lang == "zh" else f"{date.day} {date:%b}"


def moment(when: dt.datetime, lang: str) -> str:
    """A local date-time as people say it: 2月12日 14:05 / 12 Feb 14:05."""
    return f"{day(when.date(), lang)} {when:%H:%M}"


def verdict_message(key: str, lang: str, **fields: object) -> str:
    """One sentence of VERDICT, its fields written as `lang` writes them (VERDICT_FIELDS)."""
    shown = {name: _field_text(name, value, lang) for name, value in fields.items()}
    return VERDICT[lang if lang in VERDICT else "zh"][key].format(**shown)


# The fields a verdict's sentence may use, and how each is written. A Verdict keeps them
# as plain values (kiosk.model.Verdict.fields): the same in memory and in an event's JSON.
VERDICT_FIELDS = {
    "valid_from": "date",      # ISO date: 2026-02-12
    "valid_to": "date",
    "next_exit": "when",       # ISO date, or date-time with offset (rolling quota); None: now
    "reading": "celsius",      # a reading, °C
    "first": "celsius",
    "wait_min": "number",      # whole minutes
    "remaining_min": "number",
    "used": "number",
    "limit": "number",
    "hours": "text",           # "05:00-22:00", the same in every language
    "operator": "text",        # the lead's name
    "out_at": "when",          # already_out: the exit's local date-time with offset
    "out_time": "clock",       # the same, as its time of day only (an exit of the same day)
    "gate": "text",            # the gate's name as the office knows it ("" if not known)
    "gate_id": "text",         # the gate's device id, its short form
}


def _field_text(name: str, value: object, lang: str) -> str:
    kind = VERDICT_FIELDS.get(name, "text")
    if value is None or value == "":
        return ""
    if kind == "date":
        return day(dt.date.fromisoformat(str(value)), lang)
    if kind == "when":
        text = str(value)
        if "T" in text:
            return moment(dt.datetime.fromisoformat(text), lang)
        return day(dt.date.fromisoformat(text), lang)
    if kind == "clock":
        return f"{dt.datetime.fromisoformat(str(value)):%H:%M}"
    if kind == "celsius":
        return f"{float(str(value)):.1f}"
    return str(value)


def verdict_key(verdict: Verdict) -> str:
    """Which sentence of VERDICT tells this verdict."""
    if verdict.override_of is not None:
        return "override"
    if verdict.reason == "already_out" and verdict.fields.get("out_at"):
        out_day = dt.datetime.fromisoformat(verdict.fields["out_at"]).date()
        same_day = verdict.at is not None and verdict.at.date() == out_day
        return "already_out_since" if same_day else "already_out_since_day"
    if verdict.reason != "ok":
        return verdict.reason
    if verdict.direction is not None and verdict.direction.value == "in":
        return "ok_in_without_exit" if "entry_without_exit" in verdict.warnings else "ok_in"
    return "ok_out" if verdict.quota is not None else "ok_out_free"


def verdict_text(verdict: Verdict, lang: str) -> str:
    """The sentence the volunteer reads for `verdict`, in `lang` ("zh" or "en")."""
    key, fields = verdict_key(verdict), dict(verdict.fields)
    if key.startswith("already_out_since"):  # the gate by its name, else by its id's short form
        fields["out_time"] = fields["out_at"]
        fields["gate"] = fields.get("gate") or verdict_message("gate_unnamed", lang,
                                                               gate_id=fields.get("gate_id", ""))
    return verdict_message(key, lang, **fields)


# Messages for the person at the terminal: bad input (exit 2) and storage failures (exit 3).
CLI = {
    "zh": {
        "bad_temperature": "体温“{value}”不是数字，例如 36.5",
        "bad_direction": "方向只能是 in（进）或 out（出）",
        "bad_reason": "外出事由“{value}”无效，可选：{choices}",
        "bad_date": "日期“{value}”无效，请用 2026-02-12 这样的格式",
        "bad_time": "时间“{value}”无效，请用 ISO-8601 格式，例如 2026-02-12T08:30",
        "no_database": "找不到数据库 {path}，请先运行 kiosk init",
        "exists": "数据库 {path} 已存在，不会覆盖",
        "demo_ready": "示范小区已建在 {path}（出入证图片在 cards/）。楼栋长“{lead}”的PIN码：{pin}",
        "storage_failed": "数据库或磁盘出错，本次未记录：{error}。请纸质登记并联系管理员",
        "wal_replaced": "数据库的日志文件被本机其他程序替换：本次扫码已重新写入数据库并记为异常事件，"
                        "但结果未显示，请纸质登记，并联系管理员检查",
        "no_signing_key": "本机没有签发密钥（{path}），请在社区办公室发卡",
        "unknown_household": "查无此户：{value}",
        "second_life_card": "户 {household} 已有生活卡 {serial}（一户一卡）；遗失请用 card reissue",
        "unknown_serial": "查无此卡：{value}",
        "already_revoked": "此卡已作废：{value}",
        "bad_setting": "设置无效：{error}",
        "duplicate_flat": "该房间已登记：{flat}",
        "bad_field": "{field}无效：{value}",
        "roster_errors": "名册有{count}处错误，未导入任何一行：",
        "roster_imported": "已导入{count}户",
        "cannot_read": "无法读取文件 {path}：{error}",
        "bad_dates": "有效期起始日晚于截止日",
        "bad_event": "查无此记录或该记录不是拒绝记录：{value}",
        "not_overridable": "此类拒绝（{reason}）不能特批：证件、体温和发热由规则决定",
        "already_overridden": "这条拒绝记录已经特批放行过：{value}",
        "no_display": "找不到显示器（未设置 DISPLAY）：请在门岗电脑的桌面上运行，或通过 Xvfb 运行",
        # operators, exports, card sheets, the purge (issue 5)
        "bad_pin": "PIN 须为 {low} 到 {high} 位数字",
        "no_pin": "请从标准输入提供 PIN（--pin-stdin），例如：echo 135790 | kiosk ...",
        "bad_operator_name": "操作员姓名无效：{value}",
        "bad_role": "角色无效：{value}（可选 volunteer、lead、admin）",
        "lead_needs_building": "楼栋长须至少负责一栋楼（--building）",
        "operator_exists": "已有同名操作员：{value}",
        "pin_in_use": "此 PIN 已被其他操作员使用，请换一个",
        "unknown_operator": "查无此操作员：{value}",
        "not_your_building": "无权查看 {building} 栋的记录",
        "role_too_low": "需要{role}权限",
        "wrong_pin": "PIN 错误或权限不足",
        "pin_locked": "PIN 错误次数过多，已锁定至 {until}",
        "operator_added": "已添加操作员 {name}（{role}）",
        "no_operators": "尚无操作员，请用 kiosk operator add 添加",
        "exported": "已导出 {count} 条记录到 {path}",
        "cards_printed": "已生成 {count} 张卡片（{pages} 页）到 {path}",
        "no_cards": "没有可打印的有效卡片",
        "no_font": "找不到中文字体，请安装 fonts-wqy-microhei 或 fonts-noto-cjk",
        "cannot_write": "无法写入文件 {path}：{error}",
        "bad_format": "不支持的导出格式：{value}（可选 csv、xlsx、pdf）",
        "purge_unsynced": "{date} 之前有 {count} 条记录尚未同步，未删除任何记录；确需删除请加 --force",
        "purged": "已删除 {date} 之前的 {count} 条已同步记录",
        "cancelled": "已取消，未写入任何文件",
        # sync with the office (issue 6): every message may use {target} and {detail}
        "sync_unreachable": "连不上社区办公室（{target}），记录都安全保存在本机，稍后再同步。原因：{detail}",
        "sync_office_too_new": "办公室数据库（{target}）的版本比本程序新，拒绝同步，请先升级本机的 Gatepost",
        "sync_not_an_office": "{target} 不是社区办公室数据库，未写入任何内容",
        "sync_no_office": "{target} 还没有社区办公室数据库，请先运行 kiosk office init",
        "sync_other_community": "{target} 属于另一个社区，未同步任何内容",
        "sync_bad_url": "同步地址“{target}{detail}”无效，请用 sqlite:///路径/office.db 或 postgresql://用户@主机/库",
        "sync_no_target": "没有同步地址：请用 --to，或 kiosk policy set sync.url 地址",
        "sync_failed": "同步失败（{target}）：{detail}",
        "sync_cancelled": "同步已取消，已确认的记录不会重发，其余下次再同步",
        "sync_roster_conflict": "办公室名册与本机名册冲突（同一房间两个编号），请联系办公室：{detail}",
        "office_exists": "办公室数据库或密钥已存在（{target}{detail}），不会覆盖",
        "office_key_needed": "PostgreSQL 办公室的签发密钥文件请用 --key 指定（{target}）",
        "sync_done": "已同步到 {target}：上传 {pushed} 条（{already_there} 条办公室已有），"
                     "名册更新 {roster_changes} 项，收到其他门岗记录 {pulled_events} 条",
        "sync_issue_gap": "注意：设备 {device} 的记录缺少第 {first}–{last} 条",
        "sync_issue_chain_break": "注意：设备 {device} 第 {first} 条记录的防篡改链断裂",
        "sync_issue_seq_reused": "注意：设备 {device} 第 {first} 条记录编号被另一条记录重复使用"
                                 "（是否恢复过备份？）",
        "sync_breach": "发现超额外出：记录 {event}（同步后才可见，已记入事件）",
        "office_created": "已创建社区办公室数据库 {target}，签发密钥：{detail}",
        "enrolled": "本门岗已从 {target} 登记，数据库：{detail}",
        "sync_never": "从未同步",
        "already_replaced": "此卡已补办为新卡 {new}，不能再操作：{value}",
        "bad_argument_text": "{option} 中有无法识别的字符（不是 UTF-8 文字），未记录。请重新输入",
        "stored_text_damaged": "数据库中有文字已损坏（不是有效的 UTF-8），本机不能继续记录。"
                               "请纸质登记，运行 kiosk check 查看位置，并用 kiosk restore 从备份恢复",
        "sync_forged_event": "办公室 {target} 拒收本机第 {detail} 条记录：其签名与本门岗的设备密钥不符"
                             "（记录在写入后被伪造或改动）。之前的记录已同步，此后的不再上传；"
                             "请用 kiosk verify-log 检查并联系管理员",
        "sync_device_key_changed": "办公室 {target} 登记的设备 {detail} 的公钥与本机设备密钥不同，"
                                   "未上传任何记录；请联系管理员",
        "sync_issue_forged": "注意：设备 {device} 第 {first} 条记录的签名无效，未接收",
        "pin_changed": "已更换 {name} 的 PIN，旧 PIN 即时失效",
        "operator_deactivated": "已停用操作员 {name}",
        "sync_password_set": "（密码已设置，保存在 {path}）",
        "wrong_pin_wait": "PIN 错误或权限不足，请在 {until} 之后再试",
        # data/outputs.py: files Gatepost writes
        "output_empty": "请给出要写入的文件名，例如 --out 日报.xlsx",
        "output_is_folder": "{path} 是一个文件夹，请给出文件名，例如 {path}/日报.xlsx",
        "output_protected": "不会写入 {path}：它是门岗的数据库、密钥或备份"
                            "（任何时候都不会覆盖，加 --force 也不会）",
        "output_exists": "文件 {path} 已存在，不会覆盖；确需替换请加 --force",
        "input_protected": "不能读取 {path}：它是门岗自己的数据库或密钥文件",
        "disk_full": "磁盘已满或出错，无法写入 {path}：{error}。未留下任何文件；请腾出空间或换一个磁盘",
        # the gate's own reports and the mask check
        "bad_report_kind": "没有“{value}”这类报告，可选：{choices}",
        "bad_report_count": "人数 {value} 不对：请填 1 到 {limit}",
        "bad_flat": "房号“{value}”应写成 楼栋-单元-房间，例如 3-2-301",
        "unknown_flat": "本社区没有登记房号 {flat}",
        "delivery_needs_flat": "物资送达请选择房号",
        "report_note_long": "备注太长：最多 {limit} 个字",
        "bad_mask": "口罩“{value}”不对，可选：{choices}",
        "parcel_not_waiting": "这件物资已被领取，或不在待领清单中",
        # the office's own work, roster upkeep, office operators (issue 15)
        "office_db_not_gate": "{path} 是社区办公室的数据库，不是门岗的：请用 kiosk office …（例如 "
                              "kiosk office households --office sqlite://{path}），未写入任何内容",
        "gate_db_not_office": "{target} 是门岗的数据库，不是社区办公室的：门岗命令请用 kiosk --db 该文件 …，"
                              "未写入任何内容",
        "no_office_url": "请用 --office 给出社区办公室数据库（sqlite:///路径/office.db 或 postgresql://…），"
                         "或设置 KIOSK_OFFICE",
        "roster_unchanged": "名册没有变化（{count}户与数据库一致），未写入任何内容",
        "roster_plan": "名册变化：新增{added}户，信息变更{changed}户，换房{moved}户，迁出{removed}户"
                       "（注销其卡{cards_to_revoke}张），不变{unchanged}户",
        "roster_plan_added": "  新增  {flat}  {head}",
        "roster_plan_changed": "  变更  {flat}  {was} → {now}",
        "roster_plan_moved": "  换房  {flat} → {to}  {head}",
        "roster_plan_removed": "  迁出  {flat}  {head}",
        "roster_preview_only": "以上尚未写入。核对无误后，加 --apply 再运行一次即全部生效（全部或全不）",
        "roster_updated": "名册已更新：新增{added}户，变更{changed}户，换房{moved}户，迁出{removed}户，"
                          "注销卡片{cards_revoked}张；出入记录全部保留",
        "office_status_gate": "门岗 {name}（{device}）：最近同步 {last}，共 {events} 条记录，今日 {today} 条",
        "office_status_roster": "住户 {households} 户，有效卡片 {cards} 张，设备异常 {issues} 项",
        "office_household": "{building}号楼{unit}单元{room}室  {head}  {members}人  {cards}",
        "office_card_life": "生活卡{count}张",
        "office_card_work": "工作卡{count}张",
        "office_card_special": "特殊卡{count}张",
        "office_no_cards": "无卡",
        "office_households_total": "共 {count} 户",
        "issued_missing": "已为 {count} 户发放{kind}（{households} 户中 {had} 户已有）",
        "office_operator": "操作员 {value} 由社区办公室设定，请在办公室修改（kiosk office operator …）",
        "sync_breach_flat": "发现超额外出：{flat} 户 {at} 的外出超出本期次数（同步后才可见，已记入异常事件）",
        "demo_volunteers": "值守志愿者（在门岗屏幕上点名字再输PIN码签到）：{volunteers}",
    },
    "en": {
        "bad_temperature": "Temperature '{value}' is not a number, e.g. 36.5",
        "bad_direction": "Direction must be in or out",
        "bad_reason": "Exit reason '{value}' is not valid; choose one of: {choices}",
        "bad_date": "Date '{value}' is not valid: use the form 2026-02-12",
        "bad_time": "Time '{value}' is not valid: use ISO-8601, e.g. 2026-02-12T08:30",
        "no_database": "No database at {path}: run kiosk init first",
        "exists": "A database already exists at {path}; it will not be overwritten",
        "demo_ready": "Demo community in {path} (card images in cards/). Lead '{lead}', PIN {pin}",
        "storage_failed": "The database or the disk failed, nothing was recorded: {error}. "
                          "Record on paper and call the administrator",
        "wal_replaced": ("The database's journal file was replaced by another program on this machine: "
                         "this scan was written to the database again and recorded as an incident, but "
                         "its verdict was not shown. Record it on paper and call the administrator."),
        "no_signing_key": "This machine has no signing key ({path}): issue cards at the office",
        "unknown_household": "No such household: {value}",
        "second_life_card": "Household {household} already has life card {serial} (one per "
                            "household); for a lost card use card reissue",
        "unknown_serial": "No such card: {value}",
        "already_revoked": "This card is already revoked: {value}",
        "bad_setting": "Setting refused: {error}",
        "duplicate_flat": "This flat is already registered: {flat}",
        "bad_field": "{field} is not valid: {value}",
        "roster_errors": "The roster has {count} errors; no row was imported:",
        "roster_imported": "Imported {count} households",
        "cannot_read": "Cannot read file {path}: {error}",
        "bad_dates": "The card's valid-from date is after its valid-to date",
        "bad_event": "No denied event with this id: {value}",
        "not_overridable": "A denial for {reason} cannot be overridden: the card, the "
                           "temperature and fevers are not a lead's call",
        "already_overridden": "This denial was already let through: {value}",
        "no_display": "No display (DISPLAY is not set): run this on the gate PC's desktop, or under Xvfb",
        # operators, exports, card sheets, the purge (issue 5)
        "bad_pin": "A PIN is {low} to {high} digits",
        "no_pin": "Give the PIN on standard input (--pin-stdin), e.g. echo 135790 | kiosk ...",
        "bad_operator_name": "Operator name is not valid: {value}",
        "bad_role": "Role is not valid: {value} (volunteer, lead or admin)",
        "lead_needs_building": "A building lead needs at least one building (--building)",
        "operator_exists": "An operator with this name exists: {value}",
        "pin_in_use": "Another operator uses this PIN: choose another",
        "unknown_operator": "No such operator: {value}",
        "not_your_building": "Not allowed to see building {building}",
        "role_too_low": "This needs the {role} role",
        "wrong_pin": "Wrong PIN, or not allowed",
        "pin_locked": "Too many wrong PINs: locked until {until}",
        "operator_added": "Added operator {name} ({role})",
        "no_operators": "No operators yet: add one with kiosk operator add",
        "exported": "Exported {count} events to {path}",
        "cards_printed": "Wrote {count} cards ({pages} pages) to {path}",
        "no_cards": "No active cards to print",
        "no_font": "No Chinese font found: install fonts-wqy-microhei or fonts-noto-cjk",
        "cannot_write": "Cannot write file {path}: {error}",
        "bad_format": "Unsupported export format: {value} (csv, xlsx or pdf)",
        "purge_unsynced": "{count} events before {date} are not synced yet; nothing was deleted. "
                          "Add --force to delete them anyway",
        "purged": "Deleted {count} synced events before {date}",
        "cancelled": "Cancelled: no file was written",
        "sync_unreachable": "Cannot reach the community office ({target}); every record is safe on "
                            "this gate and will be synced later. Reason: {detail}",
        "sync_office_too_new": "The office database ({target}) is newer than this program: sync "
                               "refused. Update Gatepost on this gate first",
        "sync_not_an_office": "{target} is not a community office database; nothing was written",
        "sync_no_office": "There is no community office database at {target}: run kiosk office init",
        "sync_other_community": "{target} belongs to another community; nothing was synced",
        "sync_bad_url": "Sync address '{target}{detail}' is not valid: use sqlite:///path/office.db "
                        "or postgresql://user@host/db",
        "sync_no_target": "No sync address: give --to, or kiosk policy set sync.url ADDRESS",
        "sync_failed": "Sync with {target} failed: {detail}",
        "sync_cancelled": "Sync cancelled: what was acknowledged stays, the rest goes next time",
        "sync_roster_conflict": "The office's roster clashes with this gate's (one flat, two ids); "
                                "call the office: {detail}",
        "office_exists": "An office database or key already exists ({target}{detail}); it will not "
                         "be overwritten",
        "office_key_needed": "Give the signing key file of a PostgreSQL office with --key ({target})",
        "sync_done": "Synced with {target}: {pushed} events sent ({already_there} the office had "
                     "already), {roster_changes} roster changes, {pulled_events} events of other gates",
        "sync_issue_gap": "Note: device {device} is missing events {first}-{last}",
        "sync_issue_chain_break": "Note: the tamper-evident chain of device {device} breaks at event {first}",
        "sync_issue_seq_reused": "Note: device {device} reused number {first} for another event "
                                 "(restored from a backup?)",
        "sync_breach": "Quota exceeded, visible only after the sync: event {event} (an incident "
                       "was recorded)",
        "office_created": "Created the community office database {target}; signing key: {detail}",
        "enrolled": "This gate is enrolled from {target}; database: {detail}",
        "sync_never": "never synced",
        "already_replaced": "This card was already replaced by the new card {new}: {value}",
        "bad_argument_text": "{option} holds characters that are not text (not UTF-8): nothing was "
                             "recorded. Type it again",
        "stored_text_damaged": "A text stored in the database is damaged (not valid UTF-8): this gate "
                               "cannot record. Record on paper, run kiosk check to see where, and "
                               "restore from a backup with kiosk restore",
        "sync_forged_event": "The office {target} refused this gate's event {detail}: its signature does "
                             "not match this gate's device key (the record was forged or changed after "
                             "it was written). The events before it are synced, none after it; check "
                             "with kiosk verify-log and call the administrator",
        "sync_device_key_changed": "The office {target} holds another public key for device {detail} than "
                                   "this gate's device key: nothing was sent. Call the administrator",
        "sync_issue_forged": "Note: device {device} event {first} has no valid signature: not taken in",
        "pin_changed": "{name} has a new PIN; the old one no longer works",
        "operator_deactivated": "Operator {name} is deactivated",
        "sync_password_set": "(a password is set, kept in {path})",
        "wrong_pin_wait": "Wrong PIN, or not allowed: the next try is possible after {until}",
        # data/outputs.py: files Gatepost writes
        "output_empty": "Give the name of the file to write, e.g. --out log.xlsx",
        "output_is_folder": "{path} is a folder; give a file name, e.g. {path}/log.xlsx",
        "output_protected": "Will not write {path}: it is the gate's database, a key or a backup "
                            "(never overwritten, not even with --force)",
        "output_exists": "The file {path} already exists and was not overwritten; add --force to "
                         "replace it",
        "input_protected": "Cannot read {path}: it is the gate's own database or key file",
        "disk_full": "The disk is full or failing, cannot write {path}: {error}. Nothing was left "
                     "behind; free some space or use another disk",
        # the gate's own reports and the mask check
        "bad_report_kind": "There is no report of kind '{value}'; choose one of {choices}",
        "bad_report_count": "The count {value} is wrong: give 1 to {limit}",
        "bad_flat": "Write the flat '{value}' as building-unit-room, e.g. 3-2-301",
        "unknown_flat": "No flat {flat} is registered in this community",
        "delivery_needs_flat": "A delivery needs the flat it is for",
        "report_note_long": "The note is too long: {limit} characters at most",
        "bad_mask": "Mask '{value}' is not an answer; choose one of {choices}",
        "parcel_not_waiting": "This parcel was collected already, or is not on the waiting list",
        # the office's own work, roster upkeep, office operators (issue 15)
        "office_db_not_gate": "{path} is the community office's database, not a gate's: use kiosk "
                              "office … (e.g. kiosk office households --office sqlite://{path}); "
                              "nothing was written",
        "gate_db_not_office": "{target} is a gate's database, not the community office's: give it to "
                              "a gate command as kiosk --db FILE …; nothing was written",
        "no_office_url": "Give the office database with --office (sqlite:///path/office.db or "
                         "postgresql://…), or set KIOSK_OFFICE",
        "roster_unchanged": "The roster has not changed ({count} households as in the database); "
                            "nothing was written",
        "roster_plan": "Roster changes: {added} added, {changed} changed, {moved} moved, {removed} "
                       "removed ({cards_to_revoke} of their cards revoked), {unchanged} unchanged",
        "roster_plan_added": "  added    {flat}  {head}",
        "roster_plan_changed": "  changed  {flat}  {was} → {now}",
        "roster_plan_moved": "  moved    {flat} → {to}  {head}",
        "roster_plan_removed": "  removed  {flat}  {head}",
        "roster_preview_only": "Nothing was written yet. When this is right, run it again with --apply "
                               "(all of it or nothing)",
        "roster_updated": "Roster updated: {added} added, {changed} changed, {moved} moved, {removed} "
                          "removed, {cards_revoked} cards revoked; every past record stays",
        "office_status_gate": "Gate {name} ({device}): last sync {last}, {events} events, {today} today",
        "office_status_roster": "{households} households, {cards} active cards, {issues} device issues",
        "office_household": "{building}-{unit}-{room}  {head}  {members} people  {cards}",
        "office_card_life": "{count} life",
        "office_card_work": "{count} work",
        "office_card_special": "{count} special",
        "office_no_cards": "no cards",
        "office_households_total": "{count} households",
        "issued_missing": "Issued a {kind} card to {count} households ({had} of {households} had one)",
        "office_operator": "Operator {value} is defined at the community office: change it there "
                           "(kiosk office operator …)",
        "sync_breach_flat": "Quota exceeded, visible only after the sync: the exit of flat {flat} at "
                            "{at} was beyond its window's limit (an incident was recorded)",
        "demo_volunteers": "Gate volunteers (sign in on the gate screen: tap the name, then the PIN): "
                           "{volunteers}",
    },
}


def cli_message(key: str, lang: str, **fields: object) -> str:
    return CLI[lang if lang in CLI else "zh"][key].format(**fields)


# Roster import: one sentence per kind of bad row or bad file.
ROSTER = {
    "zh": {
        "roster_format": "不支持的文件格式或文件已损坏（{value}），请用 CSV 或 XLSX",
        "roster_encoding": "文件编码无法识别，请另存为 UTF-8 或 GBK 编码的 CSV",
        "roster_empty": "文件中没有任何住户",
        "roster_missing_column": "缺少必需的列：{value}（楼栋、单元、房号）",
        "roster_too_large": "文件超过 {value} 行，请分批导入",
        "roster_duplicate": "房间重复：{value}",
        "roster_exists": "该房间已登记：{value}",
        "roster_formula": "单元格含公式或特殊开头字符：{value}",
        "roster_no_building": "缺少楼栋",
        "roster_no_unit": "缺少单元",
        "roster_no_room": "缺少房号",
        "roster_bad_building": "楼栋无效：{value}",
        "roster_bad_unit": "单元无效：{value}",
        "roster_bad_room": "房号无效：{value}",
        "roster_bad_phone": "电话无效：{value}",
        "roster_bad_members": "人数应为 1 到 30 的整数：{value}",
        "roster_bad_head": "户主姓名过长：{value}",
        "line": "第{line}行：{message}",
        "roster_too_big": "文件超出住户名单的合理大小（{value}），未导入。请检查是否选错了文件",
        "roster_mixed_encoding": "文件混用了两种编码（GBK 与 UTF-8）：第 {value} 行与其余各行编码不同，"
                                 "未导入。请在 Excel 中另存为一种编码的 CSV",
        "roster_conflict": "导入期间有别的程序登记了同一房间，未导入。请重新导入",
    },
    "en": {
        "roster_format": "Unsupported or damaged file ({value}): use CSV or XLSX",
        "roster_encoding": "Unknown text encoding: save the CSV as UTF-8 or GBK",
        "roster_empty": "The file holds no households",
        "roster_missing_column": "Missing required columns: {value} (building, unit, room)",
        "roster_too_large": "More than {value} rows: import in parts",
        "roster_duplicate": "Flat listed twice: {value}",
        "roster_exists": "Flat already registered: {value}",
        "roster_formula": "Cell holds a formula or starts with a special character: {value}",
        "roster_no_building": "building is missing",
        "roster_no_unit": "unit is missing",
        "roster_no_room": "room is missing",
        "roster_bad_building": "building is not valid: {value}",
        "roster_bad_unit": "unit is not valid: {value}",
        "roster_bad_room": "room is not valid: {value}",
        "roster_bad_phone": "phone is not valid: {value}",
        "roster_bad_members": "members must be a whole number from 1 to 30: {value}",
        "roster_bad_head": "head's name is too long: {value}",
        "line": "line {line}: {message}",
        "roster_too_big": "The file is larger than any roster ({value}): nothing imported. Check that "
                          "it is the right file",
        "roster_mixed_encoding": "The file mixes two encodings (GBK and UTF-8): line {value} is not in the "
                                 "encoding of the rest. Nothing imported; save it from Excel as one CSV",
        "roster_conflict": "Another program registered the same flat during the import: nothing "
                           "imported. Import again",
    },
}


def roster_message(key: str, lang: str, **fields: object) -> str:
    return ROSTER[lang if lang in ROSTER else "zh"][key].format(**fields)


# The daily log as a lead reads it (exports, the admin screens): column headers, short
# labels for codes, and the summary's sentences (issue 5).
LOG = {
    "zh": {
        "col_date": "日期", "col_time": "时间", "col_direction": "方向", "col_flat": "房号",
        "col_kind": "卡类", "col_serial": "卡号", "col_decision": "结果", "col_reason": "原因",
        "col_temp_first": "体温", "col_temp_second": "复测体温", "col_operator": "值守人员",
        "col_note": "备注", "col_head": "户主", "col_phone": "电话", "col_building": "楼栋",
        "col_holder": "持卡人", "col_status": "状态", "col_valid": "有效期", "col_since": "外出时间",
        "col_generation": "版次", "col_action": "操作", "col_target": "对象", "col_details": "详情",
        "col_members": "人数", "col_household": "户号",
        "in": "进", "out": "出",
        "life": "生活卡", "work": "工作卡", "special": "特殊卡",
        "allow": "放行", "deny": "拒绝", "retest": "复测",
        "active": "有效", "revoked": "已作废", "suspended": "已暂停",
        "not_a_card": "非出入证", "wrong_community": "非本社区", "bad_signature": "疑似伪造",
        "unknown_card": "查无此卡", "expired": "已过期", "not_yet_valid": "未生效",
        "temperature_required": "未测体温", "temperature_implausible": "读数不合理",
        "temperature_unit": "疑似华氏度", "temperature_low": "体温偏低", "fever_retest": "发热待复测",
        "retest_too_soon": "复测过早", "fever_confirmed": "复测仍发热", "already_out": "已外出未返回",
        "quota_used": "本期已外出", "work_quota_used": "工作卡今日已用", "outside_hours": "非工作时段",
        "reason_required": "缺外出事由", "ok": "正常",
        "medical": "就医", "funeral": "丧事", "volunteer": "志愿服务", "other": "其他",
        "override_note": "特批：{reason}", "exit_note": "事由：{reason}",
        "title": "{community} 出入登记日报", "title_range": "{community} 出入登记（{first} 至 {last}）",
        "buildings_all": "全部楼栋", "buildings": "{buildings}",
        "summary": "汇总", "log": "出入记录",
        "scans": "扫码总数", "exits": "外出", "entries": "进入", "denials": "拒绝与复测（按原因）",
        "fevers": "发热记录", "overrides": "特批放行", "none": "无",
        "more": "……另有 {count} 条，见出入记录", "exported_by": "导出：{operator}，{at}",
        "signature": "楼栋长签字：____________________    日期：____________",
        "page": "第 {page} / {pages} 页",
        "per_hour": "每小时外出与进入（放行人次）", "hour_axis": "时", "col_hour": "时段",
        "fever_mark": "发热时间", "people": "人次",
        "card_title": "{community} 出入证", "card_life": "生活卡", "card_work": "工作卡",
        "card_special": "特殊卡", "card_holder": "持卡人：{initial}",
        "card_valid": "有效期 {first} 至 {last}", "card_generation": "第{generation}版",
        # the mask check's reasons and answers, the gate's own reports
        "mask_unconfirmed": "未确认口罩", "mask_missing": "未戴口罩", "mask_required": "未戴口罩（禁止）",
        "mask_yes": "戴口罩", "mask_no": "未戴", "mask_exempt": "免戴", "col_mask": "口罩",
        "outsider_refused": "外来人员劝返", "symptoms": "有症状", "refused_reading": "拒绝测温",
        "crowding": "门口聚集", "delivery": "物资送达", "collected": "已领取",
        "outsiders": "外来人员劝返（人次）", "reports": "门岗报告", "col_people": "人数",
        "slip": "需处理",
        # issue 15: the lead's sheet
        "override_decision": "放行（负责人放行：{reason}）", "override_lifted": "原为：{reason}",
        "building_name": "{building}号楼", "exits_passages": "外出（人次）",
        "exits_households": "外出（户数）", "rule_denials": "拒绝与复测（按规则）",
        "slips": "需重新操作（未测温、读数异常、缺事由等，不算拒绝）", "slips_short": "需重新操作",
        "fever_cleared": "复测正常", "fever_confirmed_outcome": "复测仍发热，送观察点",
        "fever_no_retest": "未复测", "col_outcome": "结果", "col_unit": "单元",
        "col_exit_households": "外出户数", "col_exits": "外出人次", "col_entries": "进入人次",
        "col_denials": "拒绝", "col_fevers": "发热", "col_last_exit": "最近外出", "col_gate": "出入口",
        "col_item": "项目", "col_count": "数量",
        "units": "各单元合计", "out_now": "外出未归（截至导出时）", "out_now_sheet": "外出未归",
        "not_out": "连续 {days} 天未外出的住户（送菜上门）", "not_out_sheet": "未外出住户",
        "fevers_sheet": "发热", "units_sheet": "各单元", "never": "无记录", "office": "社区办",
        # the gate's reports on the lead's sheet and the office's merged log
        "col_category": "类别", "col_collected": "领取情况", "not_collected": "未领取（仍在门口）",
        "collected_at": "已领取 {at}（{operator}）", "outsiders_sheet": "各门岗劝返",
    },
    "en": {
        "col_date": "Date", "col_time": "Time", "col_direction": "Direction", "col_flat": "Flat",
        "col_kind": "Card", "col_serial": "Serial", "col_decision": "Decision", "col_reason": "Reason",
        "col_temp_first": "Temp °C", "col_temp_second": "Retest °C", "col_operator": "Operator",
        "col_note": "Note", "col_head": "Head", "col_phone": "Phone", "col_building": "Building",
        "col_holder": "Holder", "col_status": "Status", "col_valid": "Valid", "col_since": "Out since",
        "col_generation": "Gen.", "col_action": "Action", "col_target": "Target", "col_details": "Details",
        "col_members": "Members", "col_household": "Household",
        "in": "in", "out": "out",
        "life": "life", "work": "work", "special": "special",
        "allow": "allow", "deny": "deny", "retest": "retest",
        "active": "active", "revoked": "revoked", "suspended": "suspended",
        "not_a_card": "not a card", "wrong_community": "other community", "bad_signature": "forged?",
        "unknown_card": "unknown card", "expired": "expired", "not_yet_valid": "not yet valid",
        "temperature_required": "no reading", "temperature_implausible": "implausible reading",
        "temperature_unit": "°F reading?", "temperature_low": "low reading", "fever_retest": "fever, retest",
        "retest_too_soon": "retest too soon", "fever_confirmed": "fever confirmed",
        "already_out": "already out", "quota_used": "quota used", "work_quota_used": "work quota used",
        "outside_hours": "outside hours", "reason_required": "no exit reason", "ok": "ok",
        "medical": "Medical", "funeral": "Funeral", "volunteer": "Volunteer", "other": "Other",
        "override_note": "override: {reason}", "exit_note": "reason: {reason}",
        "title": "{community}: daily gate log", "title_range": "{community}: gate log {first} to {last}",
        "buildings_all": "all buildings", "buildings": "{buildings}",
        "summary": "Summary", "log": "Log",
        "scans": "Scans", "exits": "Exits", "entries": "Entries", "denials": "Denials and retests by reason",
        "fevers": "Fevers", "overrides": "Overrides", "none": "none",
        "more": "... {count} more in the log", "exported_by": "Exported by {operator}, {at}",
        "signature": "Building lead's signature: ____________________    Date: ____________",
        "page": "Page {page} of {pages}",
        "per_hour": "Exits and entries per hour (allowed)", "hour_axis": "hour", "col_hour": "Hour",
        "fever_mark": "fever readings", "people": "passages",
        "card_title": "{community} pass card", "card_life": "Life card", "card_work": "Work card",
        "card_special": "Special card", "card_holder": "Holder: {initial}",
        "card_valid": "Valid {first} to {last}", "card_generation": "gen. {generation}",
        # the mask check's reasons and answers, the gate's own reports
        "mask_unconfirmed": "mask not confirmed", "mask_missing": "no mask",
        "mask_required": "no mask (rule)",
        "mask_yes": "mask", "mask_no": "no mask", "mask_exempt": "exempt", "col_mask": "Mask",
        "outsider_refused": "outsider refused", "symptoms": "symptoms",
        "refused_reading": "refused a reading",
        "crowding": "crowding", "delivery": "delivery for a flat", "collected": "collected",
        "outsiders": "Outsiders refused (people)", "reports": "Gate reports", "col_people": "People",
        "slip": "action needed",
        # issue 15: the lead's sheet
        "override_decision": "allow (lead's override: {reason})", "override_lifted": "was: {reason}",
        "building_name": "Building {building}", "exits_passages": "Exits (passages)",
        "exits_households": "Exits (households)", "rule_denials": "Denials and retests (by the rules)",
        "slips": "Action needed (no reading, odd reading, no reason: not denials)",
        "slips_short": "Action needed",
        "fever_cleared": "retest normal", "fever_confirmed_outcome": "fever confirmed: observation point",
        "fever_no_retest": "no retest", "col_outcome": "Outcome", "col_unit": "Unit",
        "col_exit_households": "Households out", "col_exits": "Exits", "col_entries": "Entries",
        "col_denials": "Denials", "col_fevers": "Fevers", "col_last_exit": "Last exit", "col_gate": "Gate",
        "col_item": "Item", "col_count": "Count",
        "units": "Totals per unit", "out_now": "Out and not back (at export time)",
        "out_now_sheet": "Out now",
        "not_out": "Households not out for {days} days (deliveries)", "not_out_sheet": "Not out",
        "fevers_sheet": "Fevers", "units_sheet": "Units", "never": "none on record",
        "office": "community office",
        # the gate's reports on the lead's sheet and the office's merged log
        "col_category": "Kind", "col_collected": "Collected", "not_collected": "still at the gate",
        "collected_at": "collected {at} by {operator}", "outsiders_sheet": "Outsiders per gate",
    },
}


def log_text(key: str, lang: str, **fields: object) -> str:
    """A label of the daily log; an unknown code is shown as itself rather than hidden."""
    table = LOG[lang if lang in LOG else "zh"]
    text = table.get(key, key)
    return text.format(**fields) if fields else text


# Start-up checks, backups and the event chain (issue 7; docs/reliability.md).
STARTUP = {
    "zh": {
        "integrity_failed": "数据库文件已损坏（{detail}），本机不能继续记录。"
                            "请纸质登记，并用 kiosk restore 从备份恢复",
        "schema_mismatch": "数据库版本 {found} 与本程序（{expected}）不符，请联系管理员",
        "no_public_key": "数据库中没有验证出入证所需的公钥，"
                         "请从社区办公室重新登记本门岗（kiosk gate enroll）",
        "clock_jumped_back": "本机时钟（{now}）早于最近一条记录（{newest}），落后约 {minutes} 分钟。"
                             "已记入审计日志；本机按最近记录的时间继续计时，请校正系统时间",
        "backup_failed": "今日自动备份失败：{detail}。记录不受影响，请检查磁盘空间",
        "backup_done": "已备份到 {path}（{events} 条记录）",
        "backup_key_bad": "{path} 不是有效的发卡签名密钥：未恢复任何内容",
        "backup_key_done": "发卡签名密钥另存为 {path}（仅本人可读）：请与备份一起妥善保管，它能签发出入证",
        "backup_damaged": "备份 {path} 已损坏（{detail}），未使用",
        "backup_missing": "找不到备份文件 {path}",
        "backup_chain_broken": "备份 {path} 的防篡改链在第 {seq} 条处异常（{kind}），拒绝恢复",
        "restore_would_lose": "数据库 {path} 中有 {count} 条记录不在该备份里，恢复会丢失它们；"
                              "确需恢复请加 --force",
        "restored": "已从 {path} 恢复（{events} 条记录）；原数据库已另存",
        "log_intact": "防篡改链完好：{devices} 台设备，{events} 条记录",
        "log_broken": "防篡改链异常：{count} 处问题，第一处：设备 {device} 第 {first} 条（{kind}）",
        "log_problem_edited": "设备 {device} 第 {first} 条记录在写入后被修改（{event}）",
        "log_problem_broken_link": "设备 {device} 第 {first} 条记录与前一条不相连（被替换或插入）（{event}）",
        "log_problem_missing": "设备 {device} 缺少第 {first}–{last} 条记录（被删除）",
        "log_problem_purged": "设备 {device} 第 {first}–{last} 条记录已按保留期清除（有签名的清除标记）",
        "log_problem_missing_newest": "最新的记录被删除：本机编号 {first}–{last}",
        "check_ok": "启动检查通过：数据库完整，版本 {schema}，公钥 {keys} 个",
        "stored_text_damaged": "数据库表 {table} 第 {row} 行的 {column} 文字已损坏（不是有效的 UTF-8，"
                               "共 {count} 处），本机不能继续记录。请纸质登记，并用 kiosk restore 从备份恢复",
        "log_problem_bad_text": "设备 {device} 第 {first} 条记录（{event}）的 {column} 文字已损坏"
                                "（不是有效的 UTF-8）：数据库文件损坏，请用 kiosk restore 从备份恢复",
        "device_key_missing": "找不到本门岗的设备密钥文件 {path}：本机无法为记录签名，办公室会拒收。"
                              "请纸质登记；把密钥文件放回原处，或从办公室重新登记本门岗（kiosk gate enroll）",
        "device_key_mismatch": "设备密钥文件 {path} 与数据库登记的公钥不符：本机不能继续记录。"
                               "请纸质登记并联系管理员",
        "log_problem_unsigned": "设备 {device} 第 {first} 条记录没有签名（{event}）",
        "log_problem_bad_signature": "设备 {device} 第 {first} 条记录的签名与设备公钥不符（伪造）（{event}）",
        "log_problem_unsigned_legacy": "设备 {device} 第 {first}–{last} 条记录写于设备密钥启用之前，没有签名",
        "log_problem_device_key_mismatch": "本机设备密钥文件与数据库登记的公钥不符（设备 {device}）",
        "log_problem_device_key_file_missing": "找不到本机设备密钥文件（设备 {device}）："
                                               "签名只按数据库登记的公钥核对，该公钥须与办公室的副本比对",
        "log_problem_purge_marker_forged": "设备 {device} 第 {first}–{last} 条的清除标记签名无效"
                                           "（伪造的清除）",
        "log_problem_audit_missing": "审计日志缺少第 {first}–{last} 行（被删除）",
        "log_problem_audit_unsigned": "审计日志第 {first} 行没有哈希和签名（写入后被插入）",
        "log_problem_audit_broken_link": "审计日志第 {first} 行与前一行不相连（被替换或插入）",
        "log_problem_audit_edited": "审计日志第 {first} 行在写入后被修改",
        "log_problem_audit_bad_signature": "审计日志第 {first} 行的签名与设备公钥不符（伪造）",
        "crash_reports": "上次运行以来程序出错 {count} 次（不是磁盘故障），错误报告保存在 {path}，"
                         "请交给管理员",
    },
    "en": {
        "integrity_failed": "The database file is damaged ({detail}): this gate cannot record. Record on "
                            "paper and restore from a backup with kiosk restore",
        "schema_mismatch": "Database version {found} does not match this program's ({expected}): call "
                           "the administrator",
        "no_public_key": "The database has no public key to check cards with: enroll this gate again "
                         "from the office (kiosk gate enroll)",
        "clock_jumped_back": "This machine's clock ({now}) is behind the newest record ({newest}) by about "
                             "{minutes} minutes. Recorded in the audit log; the gate carries on from the "
                             "newest record's time. Please set the system clock right",
        "backup_failed": "Today's automatic backup failed: {detail}. Records are not affected; check "
                         "the free disk space",
        "backup_done": "Backed up to {path} ({events} events)",
        "backup_key_bad": "{path} is not a card signing key: nothing was restored",
        "backup_key_done": "The card signing key is saved beside it as {path} (owner-only): keep it as "
                           "safe as the backup, it can issue pass cards",
        "backup_damaged": "The backup {path} is damaged ({detail}); not used",
        "backup_missing": "No backup file at {path}",
        "backup_chain_broken": "The tamper-evident chain of backup {path} breaks at event {seq} ({kind}): "
                               "restore refused",
        "restore_would_lose": "The database {path} holds {count} events that the backup lacks: a restore "
                              "would lose them. Add --force to restore anyway",
        "restored": "Restored from {path} ({events} events); the database it replaced was kept",
        "log_intact": "The tamper-evident chain is intact: {devices} devices, {events} events",
        "log_broken": "The tamper-evident chain is broken: {count} problems, the first: device {device} "
                      "event {first} ({kind})",
        "log_problem_edited": "Device {device} event {first} was changed after it was written ({event})",
        "log_problem_broken_link": "Device {device} event {first} does not link to the one before "
                                   "(replaced or inserted) ({event})",
        "log_problem_missing": "Device {device} is missing events {first}-{last} (removed)",
        "log_problem_purged": "Device {device} events {first}-{last} were purged by the retention purge "
                              "(a signed purge marker)",
        "log_problem_missing_newest": "The newest events were removed: local numbers {first}-{last}",
        "check_ok": "Start-up checks passed: the database is intact, version {schema}, {keys} public keys",
        "stored_text_damaged": "The text in table {table}, row {row}, column {column} is damaged (not valid "
                               "UTF-8; {count} in all): this gate cannot record. Record on paper and restore "
                               "from a backup with kiosk restore",
        "log_problem_bad_text": "Device {device} event {first} ({event}): the text of {column} is damaged "
                                "(not valid UTF-8). The database file is damaged: restore from a backup "
                                "with kiosk restore",
        "device_key_missing": "This gate's device key file {path} is missing: the gate cannot sign its "
                              "records and the office would refuse them. Record on paper; put the key file "
                              "back, or enroll this gate again from the office (kiosk gate enroll)",
        "device_key_mismatch": "The device key file {path} does not match the public key the database "
                               "records: this gate cannot record. Record on paper and call the administrator",
        "log_problem_unsigned": "Device {device} event {first} has no signature ({event})",
        "log_problem_bad_signature": "Device {device} event {first} has a signature its device key did not "
                                     "make (forged) ({event})",
        "log_problem_unsigned_legacy": "Device {device} events {first}-{last} were recorded before the "
                                       "device key existed and are not signed",
        "log_problem_device_key_mismatch": "This gate's device key file does not match the public key the "
                                           "database records (device {device})",
        "log_problem_device_key_file_missing": "This gate's device key file is missing (device {device}): "
                                               "the signatures were checked against the public key the "
                                               "database records, which only the office's copy can confirm",
        "log_problem_purge_marker_forged": "The purge marker of device {device} events {first}-{last} has an "
                                           "invalid signature (a forged purge)",
        "log_problem_audit_missing": "Audit log lines {first}-{last} are missing (removed)",
        "log_problem_audit_unsigned": "Audit log line {first} has no hash or signature (inserted afterwards)",
        "log_problem_audit_broken_link": "Audit log line {first} does not link to the one before "
                                         "(replaced or inserted)",
        "log_problem_audit_edited": "Audit log line {first} was changed after it was written",
        "log_problem_audit_bad_signature": "Audit log line {first} has a signature the device key did not "
                                           "make (forged)",
        "crash_reports": "The program failed {count} times since the last start (a program error, "
                         "not the disk); the crash reports are in {path}: give them to the administrator",
    },
}


def startup_message(key: str, lang: str, **fields: object) -> str:
    return STARTUP[lang if lang in STARTUP else "zh"][key].format(**fields)


# The tables a GatepostError's key may name (kiosk.errors): its `table`.
ERROR_TABLES = {"cli": CLI, "roster": ROSTER, "startup": STARTUP}


def error_message(table: str, key: str, lang: str, **fields: object) -> str:
    """The sentence of a refusal or failure (kiosk.errors.GatepostError), in `lang`."""
    words = ERROR_TABLES[table]
    return words[lang if lang in words else "zh"][key].format(**fields)


# issue 15: the audit log in words on the admin screen (kiosk.audit.describe)
AUDIT = {
    "zh": {
        "login": "登录", "login_failed": "PIN码错误", "operator_add": "添加操作员",
        "operator_deactivate": "停用操作员", "pin_change": "更改PIN", "export": "导出",
        "cards_print": "打印出入证", "purge": "清理旧记录", "card_issue": "发卡", "card_revoke": "作废卡",
        "card_reissue": "补发卡", "card_suspend": "暂停卡", "card_activate": "恢复卡",
        "setting_change": "修改设置", "override": "特批放行", "device_key_created": "生成设备密钥",
        "parcel_collected": "物资已领取", "sign_in": "上岗签到", "sign_out": "下岗",
        "clock_jumped_back": "时钟回拨",
        "kind": "卡类", "household": "户号", "generation": "版次", "status": "状态",
        "replaces": "替换", "reason": "原因", "event": "记录", "from": "原值", "to": "新值",
        "deleted": "删除条数", "forced": "强制", "unsynced_deleted": "删除未同步", "format": "格式",
        "first": "起始日期", "last": "截止日期", "buildings": "楼栋", "rows": "行数",
        "contacts": "含联系方式", "building": "楼栋", "cards": "张数", "flat": "房号",
        "report": "报告", "role": "角色", "source": "来源", "public_key": "公钥",
        "signed_from_seq": "签名起始序号", "picked": "所选姓名", "short_pin": "PIN过短",
        "yes": "是", "no": "否", "all": "全部", "separator": "；", "pair": "{key}：{value}",
        "lead": "楼栋长", "admin": "管理员", "volunteer": "志愿者", "office": "社区办", "local": "本机",
    },
    "en": {
        "login": "sign-in", "login_failed": "wrong PIN", "operator_add": "operator added",
        "operator_deactivate": "operator deactivated", "pin_change": "PIN changed", "export": "export",
        "cards_print": "cards printed", "purge": "old events purged", "card_issue": "card issued",
        "card_revoke": "card revoked", "card_reissue": "card re-issued", "card_suspend": "card suspended",
        "card_activate": "card activated", "setting_change": "setting changed", "override": "override",
        "device_key_created": "device key made", "parcel_collected": "parcel collected",
        "sign_in": "on duty", "sign_out": "off duty", "clock_jumped_back": "clock jumped back",
        "kind": "card", "household": "household", "generation": "generation", "status": "status",
        "replaces": "replaces", "reason": "reason", "event": "event", "from": "was", "to": "now",
        "deleted": "deleted", "forced": "forced", "unsynced_deleted": "unsynced deleted", "format": "format",
        "first": "from", "last": "to", "buildings": "buildings", "rows": "rows",
        "contacts": "with contacts", "building": "building", "cards": "cards", "flat": "flat",
        "report": "report", "role": "role", "source": "source", "public_key": "public key",
        "signed_from_seq": "signed from", "picked": "name picked", "short_pin": "short PIN",
        "yes": "yes", "no": "no", "all": "all", "separator": "; ", "pair": "{key}: {value}",
        "lead": "building lead", "admin": "admin", "volunteer": "volunteer", "office": "office",
        "local": "this gate",
    },
}


def audit_text(key: str, lang: str) -> str:
    """An audit action, detail name or value in words; an unknown one is shown as itself."""
    return AUDIT[lang if lang in AUDIT else "zh"].get(key, key)
