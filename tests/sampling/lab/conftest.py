import pytest

from .helpers import make_catalogue, make_lab, make_lab_user, make_sample


@pytest.fixture
def catalogue(reference):
    return make_catalogue()


@pytest.fixture
def lab(reference):
    return make_lab("海宁市食品药品检验所", recheck=False)


@pytest.fixture
def lab_user(lab):
    return make_lab_user("lab_a", lab)


@pytest.fixture
def sample(catalogue, township_a, lab):
    return make_sample(catalogue.sub, township_a, lab=lab)


@pytest.fixture
def recheck_labs(reference):
    return [make_lab("浙江省食品药品检验研究院"), make_lab("嘉兴市食品药品与产品质量检验检测院")]
