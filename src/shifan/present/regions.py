"""Names of provinces and prefecture-level cities by 行政区划代码 (GB/T 2260), for lists grouped by city.

Source: 民政部《2023年中华人民共和国县以上行政区划代码》 (www.mca.gov.cn), as of 2023-12-31.
The table holds every province-level division, and the prefecture-level cities of 安徽省 and the
municipalities' 市辖区; other cities are printed with their province and code. No maintained
Python package of this data was found (the PyPI candidates carry no source or licence), so the
table is kept here, small and dated. Extend it by adding lines; a wrong name is a data bug.
"""

from __future__ import annotations

PROVINCES = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
}

CITIES = {
    "110100": "北京市",
    "120100": "天津市",
    "310100": "上海市",
    "500100": "重庆市",
    "340100": "合肥市",
    "340200": "芜湖市",
    "340300": "蚌埠市",
    "340400": "淮南市",
    "340500": "马鞍山市",
    "340600": "淮北市",
    "340700": "铜陵市",
    "340800": "安庆市",
    "341000": "黄山市",
    "341100": "滁州市",
    "341200": "阜阳市",
    "341300": "宿州市",
    "341500": "六安市",
    "341600": "亳州市",
    "341700": "池州市",
    "341800": "宣城市",
}


def province_name(code: str) -> str:
    return PROVINCES.get(code[:2], "")


def city_name(code: str) -> str:
    """The prefecture-level city of a 6-digit code ("341002" → "黄山市"); "" when not in the table."""
    return CITIES.get(code[:4] + "00", "")


def city_label(code: str) -> str:
    """A city name for people, never a bare code: "黄山市", or "浙江省（地市代码 330100）"."""
    city = code[:4] + "00"
    name = city_name(city)
    if name:
        return name
    province = province_name(city)
    return f"{province}（地市代码 {city}）" if province else f"地市代码 {city}"
