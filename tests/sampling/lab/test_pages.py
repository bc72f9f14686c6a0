"""The lab and disposal pages, posted the way a browser posts them (every text input, empty ones included; no
unchecked checkbox), with constant query counts on the lists."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.sampling.choices import EntryChannel
from apps.sampling.lab.services.results import results_submit
from apps.sampling.models import Disposal, ResultItem
from tests.helpers.queries import assert_constant_queries

from .helpers import lead, make_sample
from .test_disposals import at

pytestmark = pytest.mark.django_db


def browser_form(sample, catalogue, **values):
    """What the results form posts untouched: every text input of the judgeable rows, empty; units prefilled."""
    data = {"report_no": ""}
    for item, unit in ((catalogue.pb, "mg/kg"), (catalogue.protein, "g/100g"), (catalogue.moisture, "g/100g"),
                       (catalogue.clenbuterol, "μg/kg")):  # fmt: skip
        data.update({f"v_{item.pk}": "", f"u_{item.pk}": unit, f"x_{item.pk}": ""})
    data.update({f"m_{catalogue.tpc.pk}_{i}": "" for i in range(1, 6)})
    data.update({f"u_{catalogue.tpc.pk}": "CFU/g", f"x_{catalogue.tpc.pk}": ""})
    data.update(values)
    return data


def skip_all_but(catalogue, *keep):
    return {
        f"skip_{i.pk}": "on"
        for i in (catalogue.pb, catalogue.protein, catalogue.moisture, catalogue.clenbuterol, catalogue.tpc)
        if i not in keep
    }


def test_results_form_lists_the_applicable_items_only(client, lab_user, sample, catalogue):
    client.force_login(lab_user)
    page = client.get(reverse("sampling:lab_results_entry", args=[sample.pk])).content.decode()
    for name in ("铅", "蛋白质", "水分", "克伦特罗", "菌落总数", "新污染物"):
        assert name in page
    assert "咖啡因" not in page  # another category's item
    assert f'name="m_{catalogue.tpc.pk}_5"' in page and f'name="m_{catalogue.tpc.pk}_6"' not in page
    assert "该项目在生产日期没有现行有效的限量标准" in page  # 新污染物: listed, cannot be entered


def test_untouched_form_says_please_fill_naming_the_items(client, lab_user, sample, catalogue):
    client.force_login(lab_user)
    response = client.post(reverse("sampling:lab_results_entry", args=[sample.pk]), browser_form(sample, catalogue))
    assert response.status_code == 200
    page = response.content.decode()
    assert "请填写铅的检验结果" in page and "请填写菌落总数第 1、2、3、4、5 个样品的结果" in page
    assert not ResultItem.objects.exists()
    everything_skipped = browser_form(sample, catalogue, **skip_all_but(catalogue))
    page = client.post(reverse("sampling:lab_results_entry", args=[sample.pk]), everything_skipped).content.decode()
    assert "请至少录入一个检验项目的结果" in page


def test_preview_then_confirm_writes_the_results(client, lab_user, sample, catalogue):
    client.force_login(lab_user)
    url = reverse("sampling:lab_results_entry", args=[sample.pk])
    data = browser_form(
        sample,
        catalogue,
        **{f"v_{catalogue.pb.pk}": "0.9", "report_no": "JY-9"},
        **skip_all_but(catalogue, catalogue.pb),
    )
    preview = client.post(url, data)
    page = preview.content.decode()
    assert 'data-testid="results-preview"' in page and "超过最大允许限 0.3 mg/kg" in page
    assert "将启动核查处置" in page and 'name="confirm" value="yes"' in page
    assert not ResultItem.objects.exists()  # a preview writes nothing
    confirm = preview.context["confirm"]
    done = client.post(url, {**confirm.hidden, "confirm": "yes"})
    assert done.status_code == 302 and done["Location"] == reverse("sampling:lab_sample", args=[sample.pk])
    row = ResultItem.objects.get(sample=sample)
    assert (row.verdict, row.channel, row.value_text) == ("unqualified", EntryChannel.PAGE, "0.9")
    sample.refresh_from_db()
    assert sample.report_no == "JY-9" and Disposal.objects.filter(sample=sample).exists()
    detail = client.get(done["Location"]).content.decode()
    assert "GB 2762-2022《食品安全国家标准 食品中污染物限量》" in detail and "不合格" in detail
    again = client.get(url)  # the form is closed once reported
    assert again.status_code == 302


def test_a_unit_error_is_shown_beside_the_unit(client, lab_user, sample, catalogue):
    client.force_login(lab_user)
    data = browser_form(
        sample,
        catalogue,
        **{f"v_{catalogue.pb.pk}": "0.1", f"u_{catalogue.pb.pk}": "g/kg"},
        **skip_all_but(catalogue, catalogue.pb),
    )
    response = client.post(reverse("sampling:lab_results_entry", args=[sample.pk]), data)
    assert response.context["form"].errors[f"u_{catalogue.pb.pk}"] == ["铅：结果单位“g/kg”与允许限单位“mg/kg”不一致"]


def test_another_lab_cannot_open_the_form(client, sample, catalogue):
    from .helpers import make_lab, make_lab_user

    client.force_login(make_lab_user("stranger", make_lab("陌生检验机构")))
    assert client.get(reverse("sampling:lab_results_entry", args=[sample.pk])).status_code == 404


def test_receive_page_previews_then_receives(client, lab_user, sample):
    client.force_login(lab_user)
    url = reverse("sampling:lab_receive", args=[sample.pk])
    page = client.get(url).content.decode()
    assert "确认接收" in page and sample.backup_seal_no in page
    assert client.post(url, {"received_on": "2026-03-03"}).status_code == 302  # not confirmed: back to the preview
    sample.refresh_from_db()
    assert sample.status == "sampled"
    empty = client.post(url, {"received_on": "", "confirm": "yes"})
    assert "请填写接收日期" in empty.content.decode()
    assert client.post(url, {"received_on": "2026-03-03", "confirm": "yes"}).status_code == 302
    sample.refresh_from_db()
    assert (sample.status, sample.received_on) == ("received", dt.date(2026, 3, 3))


def test_lab_list_shows_the_lab_samples_with_constant_queries(client, lab_user, catalogue, township_a, lab):
    from .helpers import reported_result

    other = reported_result(township_a)  # another lab's sample
    client.force_login(lab_user)
    url = reverse("sampling:lab_samples")

    def add(n):
        for _ in range(n):
            s = make_sample(catalogue.sub, township_a, lab=lab)
            results_submit(lab_user, s, [lead("0.1")], channel=EntryChannel.PAGE)

    assert_constant_queries(lambda: client.get(url), add)
    page = client.get(url).content.decode()
    assert other.sample.number not in page and "录入结果" not in page
    fresh = make_sample(catalogue.sub, township_a, lab=lab)
    assert "录入结果" in client.get(url).content.decode() and fresh.number in client.get(url).content.decode()


def test_result_list_has_constant_queries(client, city_staff, township_a, township_b):
    from .helpers import reported_result

    client.force_login(city_staff)
    url = reverse("sampling:lab_results")
    assert_constant_queries(lambda: client.get(url), lambda n: [reported_result(township_a, "0.1") for _ in range(n)])
    assert client.get(url, {"verdict": "nonsense"}).context["filter_errors"]


def _unqualified(user, catalogue, township, lab, on):
    s = make_sample(catalogue.sub, township, lab=lab)
    with at(on):
        results_submit(user, s, [lead("0.9")], channel=EntryChannel.PAGE)
    return Disposal.objects.get(sample=s)


def test_disposal_list_counts_link_to_their_rows_and_clocks_filter(
    client, lab_user, catalogue, township_a, township_b, lab, staff_a, staff_b
):
    late = _unqualified(lab_user, catalogue, township_a, lab, dt.date(2026, 11, 2))  # 送达期限 2026-11-09: overdue
    soon = _unqualified(lab_user, catalogue, township_a, lab, dt.date(2026, 12, 2))  # 送达期限 2026-12-09
    elsewhere = _unqualified(lab_user, catalogue, township_b, lab, dt.date(2026, 11, 2))
    client.force_login(staff_a)
    url = reverse("sampling:disposals")
    with at(dt.date(2026, 12, 7)):
        client.force_login(staff_a)
        response = client.get(url)
    figures = {label: (n, link) for label, n, link, _tone in response.context["disposal_figures"]}
    assert figures["已逾期"][0] == 1 and figures["未办结"][0] == 2 and figures["即将到期（3 个工作日内）"][0] == 1
    with at(dt.date(2026, 12, 7)):  # the clocks are judged against this day (soon: up to 2026-12-10)
        client.force_login(staff_a)  # a session from another instant would have timed out
        for label, (n, link) in figures.items():
            got = client.get(link)
            assert got.status_code == 200, (link, got.status_code, got.get("Location"))
            rows = got.context["page"].paginator.count
            assert rows == n, (label, n, rows)  # every number links to the rows it counts
        overdue = [d.pk for d in client.get(url, {"clock": "overdue"}).context["page"]]
        due_soon = [d.pk for d in client.get(url, {"clock": "due_soon"}).context["page"]]
    assert overdue == [late.pk] and due_soon == [soon.pk]
    client.force_login(staff_a)  # back at the real instant: a fresh session (the one above was made at another)
    assert elsewhere.pk not in [d.pk for d in client.get(url).context["page"]]
    client.force_login(staff_b)
    assert [d.pk for d in client.get(url).context["page"]] == [elsewhere.pk]


def test_disposal_list_has_constant_queries(client, city_staff, lab_user, catalogue, township_a, lab):
    client.force_login(city_staff)
    url = reverse("sampling:disposals")
    assert_constant_queries(
        lambda: client.get(url),
        lambda n: [_unqualified(lab_user, catalogue, township_a, lab, dt.date(2026, 11, 2)) for _ in range(n)],
    )


def test_disposal_steps_through_the_pages(client, lab_user, catalogue, township_a, lab, staff_a, recheck_labs):
    disposal = _unqualified(lab_user, catalogue, township_a, lab, dt.date(2026, 12, 1))
    client.force_login(staff_a)
    detail = client.get(reverse("sampling:disposal_detail", args=[disposal.pk])).content.decode()
    assert "登记送达" in detail and "2026-12-08" in detail and "收到不合格检验报告" in detail
    notify = reverse("sampling:disposal_step", args=[disposal.pk, "notify"])
    assert "确认" in client.get(notify).content.decode()
    empty = client.post(notify, {"notified_on": "", "note": "", "confirm": "yes"})
    assert "请填写送达日期" in empty.content.decode()
    assert client.post(notify, {"notified_on": "2026-12-02", "note": "", "confirm": "yes"}).status_code == 302
    disposal.refresh_from_db()
    assert disposal.status == "notified" and disposal.recheck_due == dt.date(2026, 12, 11)
    recheck = reverse("sampling:disposal_step", args=[disposal.pk, "recheck"])
    page = client.get(recheck).content.decode()
    assert recheck_labs[0].name in page and "随机" in page
    assert client.post(recheck, {"requested_on": "2026-12-03", "note": "", "confirm": "yes"}).status_code == 302
    disposal.refresh_from_db()
    assert disposal.recheck_lab in recheck_labs
    close = reverse("sampling:disposal_step", args=[disposal.pk, "close"])
    assert client.get(close).status_code == 302  # not available while the 复检 runs
    measures = reverse("sampling:disposal_step", args=[disposal.pk, "measures"])
    bad = client.post(measures, {"on": "2026-12-03", "note": "", "confirm": "yes"})
    assert "请选择处置措施" in bad.content.decode()
    assert (
        client.post(
            measures, {"measures": ["seal", "off_shelf"], "on": "2026-12-03", "note": "", "confirm": "yes"}
        ).status_code
        == 302
    )
    disposal.refresh_from_db()
    assert disposal.measures == ["seal", "off_shelf"]


def test_leader_reads_but_cannot_act(client, leader, lab_user, catalogue, township_a, lab):
    disposal = _unqualified(lab_user, catalogue, township_a, lab, dt.date(2026, 12, 1))
    client.force_login(leader)
    detail = client.get(reverse("sampling:disposal_detail", args=[disposal.pk])).content.decode()
    assert "登记送达" not in detail
    assert client.get(reverse("sampling:disposal_step", args=[disposal.pk, "notify"])).status_code == 403


def test_nav_entries(client, lab_user, staff_a):
    client.force_login(lab_user)
    home = client.get("/").content.decode()
    assert "样品检验" in home and "核查处置" not in home
    client.force_login(staff_a)
    home = client.get("/").content.decode()
    assert "样品检验" in home and "核查处置" in home


def test_disposal_due_soon_window_is_configuration_with_an_effective_date(
    client, lab_user, catalogue, township_a, lab, staff_a
):
    from apps.sampling.models import SamplingDeadlines

    soon = _unqualified(lab_user, catalogue, township_a, lab, dt.date(2026, 12, 2))  # 送达期限 2026-12-09
    base = SamplingDeadlines.objects.in_force(dt.date(2026, 12, 7))
    fields = {f: getattr(base, f) for f in ("notify_workdays", "recheck_workdays", "disposal_days")} if base else {}
    SamplingDeadlines.objects.create(effective_from=dt.date(2026, 12, 5), due_soon_workdays=1, **fields)
    SamplingDeadlines.objects.create(effective_from=dt.date(2026, 12, 8), due_soon_workdays=5, **fields)
    url = reverse("sampling:disposals")

    def figures_on(day):
        with at(day):
            client.force_login(staff_a)
            response = client.get(url)
            due_soon = [d.pk for d in client.get(url, {"clock": "due_soon"}).context["page"]]
        labels = {label: n for label, n, _link, _tone in response.context["disposal_figures"]}
        return labels, due_soon, response.content.decode()

    labels, due_soon, page = figures_on(dt.date(2026, 12, 7))  # 1 working day: up to 2026-12-08
    assert labels["即将到期（1 个工作日内）"] == 0 and due_soon == []
    assert "即将到期（3 个工作日内）" not in page
    labels, due_soon, _ = figures_on(dt.date(2026, 12, 8))  # the row of 2026-12-08 (5 days) is in force
    assert labels["即将到期（5 个工作日内）"] == 1 and due_soon == [soon.pk]
