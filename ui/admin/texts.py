"""The admin screens' words, Chinese first, English second.

Column headers and code labels come from kiosk.messages.LOG (the exports use the same
words, so the screen and the printed log agree); this table holds the screens' own.
"""
from __future__ import annotations

from kiosk.messages import log_text

TEXT = {
    "zh": {
        "window": "管理：{name}（{role}）", "tab_log": "出入记录", "tab_incidents": "异常事件",
        "tab_out": "当前外出", "tab_roster": "住户与卡片", "tab_settings": "设置", "tab_audit": "操作日志",
        "date": "日期", "building": "楼栋", "direction": "方向", "decision": "结果", "all": "全部",
        "refresh": "刷新", "export": "导出…", "rows": "共 {count} 条", "exporting": "正在导出…",
        "cancel": "取消", "exported": "已导出 {count} 条到 {path}", "export_failed": "导出失败：{error}",
        "export_cancelled": "已取消导出，未写入文件", "search": "按房号（3-2-301）或卡号搜索",
        "issue": "发卡", "revoke": "作废", "reissue": "补卡", "suspend": "暂停", "activate": "恢复",
        "holder": "持卡人姓名", "done": "完成：{serial}", "failed": "未完成：{error}", "save": "保存",
        "saved": "已保存 {count} 项设置", "no_change": "没有改动", "out_count": "当前外出 {count} 人",
        "override": "特批", "role_lead": "楼栋长", "role_admin": "管理员", "role_volunteer": "志愿者",
        "select_card": "请先选择一张卡", "select_household": "请先选择一户",
    },
    "en": {
        "window": "Admin: {name} ({role})", "tab_log": "Log", "tab_incidents": "Incidents",
        "tab_out": "Out now", "tab_roster": "Households and cards", "tab_settings": "Settings",
        "tab_audit": "Audit log", "date": "Date", "building": "Building", "direction": "Direction",
        "decision": "Decision", "all": "all", "refresh": "Refresh", "export": "Export…",
        "rows": "{count} rows", "exporting": "Exporting…", "cancel": "Cancel",
        "exported": "Exported {count} rows to {path}", "export_failed": "Export failed: {error}",
        "export_cancelled": "Export cancelled: no file written",
        "search": "Search by flat (3-2-301) or serial",
        "issue": "Issue", "revoke": "Revoke", "reissue": "Re-issue", "suspend": "Suspend",
        "activate": "Activate", "holder": "Holder's name", "done": "Done: {serial}",
        "failed": "Not done: {error}", "save": "Save", "saved": "Saved {count} settings",
        "no_change": "Nothing changed", "out_count": "{count} out now", "override": "override",
        "role_lead": "building lead", "role_admin": "admin", "role_volunteer": "volunteer",
        "select_card": "Select a card first", "select_household": "Select a household first",
    },
}


def t(key: str, lang: str, **fields: object) -> str:
    """A screen's word; codes of the log (reasons, kinds) fall through to kiosk.messages.LOG."""
    table = TEXT["en" if lang == "en" else "zh"]
    if key in table:
        return table[key].format(**fields) if fields else table[key]
    return log_text(key, lang, **fields)
