"""Tensors themselves: factories, dtypes, printing, NumPy interop, conversions, errors.

The expected ``repr`` strings were printed by torch 2.13.0 (with ``torch.`` replaced by
``minigrad.``) and are stored here as literals, so the test needs no torch; one test
re-prints them with torch when it is installed.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import minigrad

# ---------------------------------------------------------------------- printing
# expression (T is the library) → torch 2.13.0's repr.
REPRS = {
    "T.tensor([2., 4., 6.])": "tensor([2., 4., 6.])",
    "T.tensor(27.)": "tensor(27.)",
    "T.tensor(3)": "tensor(3)",
    "T.tensor([1, 2, 3])": "tensor([1, 2, 3])",
    "T.tensor([-1, 20, 300])": "tensor([ -1,  20, 300])",
    "T.tensor([True, False])": "tensor([ True, False])",
    "T.tensor(True)": "tensor(True)",
    "T.tensor([1.5, 2.25])": "tensor([1.5000, 2.2500])",
    "T.tensor([0.1, 0.2, 0.3])": "tensor([0.1000, 0.2000, 0.3000])",
    "T.tensor([1., 2.], dtype=T.float64)": "tensor([1., 2.], dtype=minigrad.float64)",
    "T.tensor(2.5, dtype=T.float64)": "tensor(2.5000, dtype=minigrad.float64)",
    "T.tensor([1, 2], dtype=T.float64)": "tensor([1., 2.], dtype=minigrad.float64)",
    "T.tensor([1.0, 1000.0])": "tensor([   1., 1000.])",
    "T.tensor([1.0, 10000.0])": "tensor([1.0000e+00, 1.0000e+04])",
    "T.tensor([0.5, 2000.0])": "tensor([5.0000e-01, 2.0000e+03])",
    "T.tensor([1e-5, 1.0])": "tensor([1.0000e-05, 1.0000e+00])",
    "T.tensor([1e-5])": "tensor([1.0000e-05])",
    "T.tensor([1e9, 2.0])": "tensor([1.0000e+09, 2.0000e+00])",
    "T.tensor([123456789.0])": "tensor([1.2346e+08])",
    "T.tensor([-1.5, 0.0, 2.0])": "tensor([-1.5000,  0.0000,  2.0000])",
    "T.tensor([0., 0.])": "tensor([0., 0.])",
    'T.tensor([float("inf"), 1.0])': "tensor([inf, 1.])",
    'T.tensor([float("nan"), 1.5])': "tensor([   nan, 1.5000])",
    "T.tensor([-0.0001, 3.0])": "tensor([-1.0000e-04,  3.0000e+00])",
    "T.tensor([[1., 2.], [3., 4.]])": ("tensor([[1., 2.],\n        [3., 4.]])"),
    "T.tensor([[1.5, -2.], [3., 4.25]])": (
        "tensor([[ 1.5000, -2.0000],\n        [ 3.0000,  4.2500]])"
    ),
    "T.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])": (
        "tensor([[[1, 2],\n         [3, 4]],\n\n        [[5, 6],\n         [7, 8]]])"
    ),
    "T.tensor([[1e-5, 1.0], [2.0, 3.0]])": (
        "tensor([[1.0000e-05, 1.0000e+00],\n        [2.0000e+00, 3.0000e+00]])"
    ),
    "T.tensor([])": "tensor([])",
    "T.zeros(0, 3)": "tensor([], size=(0, 3))",
    "T.zeros(2, 0)": "tensor([], size=(2, 0))",
    "T.tensor([], dtype=T.float64)": "tensor([], dtype=minigrad.float64)",
    "T.tensor([1.], requires_grad=True)": "tensor([1.], requires_grad=True)",
    "T.tensor([1., 2.], dtype=T.float64, requires_grad=True)": (
        "tensor([1., 2.], dtype=minigrad.float64, requires_grad=True)"
    ),
    "T.tensor([1., 2.], requires_grad=True) * 2": "tensor([2., 4.], grad_fn=<MulBackward0>)",
    "T.tensor([3., 4.], requires_grad=True).mean() * 9": "tensor(31.5000, grad_fn=<MulBackward0>)",
    "T.tensor([1., 2.], requires_grad=True).sum()": "tensor(3., grad_fn=<SumBackward0>)",
    "T.tensor([1., 2.], dtype=T.float64, requires_grad=True).exp()": (
        "tensor([2.7183, 7.3891], dtype=minigrad.float64, grad_fn=<ExpBackward0>)"
    ),
    "T.arange(10)": "tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])",
    "T.arange(2000)": "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])",
    "T.arange(2000.) / 7": (
        "tensor([0.0000e+00, 1.4286e-01, 2.8571e-01,  ..., 2.8529e+02, 2.8543e+02,\n"
        "        2.8557e+02])"
    ),
    "T.arange(1001.)": "tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.])",
    "T.arange(1000.)": (
        "tensor([  0.,   1.,   2.,   3.,   4.,   5.,   6.,   7.,   8.,   9.,  10.,  11.,\n"
        "         12.,  13.,  14.,  15.,  16.,  17.,  18.,  19.,  20.,  21.,  22.,  23.,\n"
        "         24.,  25.,  26.,  27.,  28.,  29.,  30.,  31.,  32.,  33.,  34.,  35.,\n"
        "         36.,  37.,  38.,  39.,  40.,  41.,  42.,  43.,  44.,  45.,  46.,  47.,\n"
        "         48.,  49.,  50.,  51.,  52.,  53.,  54.,  55.,  56.,  57.,  58.,  59.,\n"
        "         60.,  61.,  62.,  63.,  64.,  65.,  66.,  67.,  68.,  69.,  70.,  71.,\n"
        "         72.,  73.,  74.,  75.,  76.,  77.,  78.,  79.,  80.,  81.,  82.,  83.,\n"
        "         84.,  85.,  86.,  87.,  88.,  89.,  90.,  91.,  92.,  93.,  94.,  95.,\n"
        "         96.,  97.,  98.,  99., 100., 101., 102., 103., 104., 105., 106., 107.,\n"
        "        108., 109., 110., 111., 112., 113., 114., 115., 116., 117., 118., 119.,\n"
        "        120., 121., 122., 123., 124., 125., 126., 127., 128., 129., 130., 131.,\n"
        "        132., 133., 134., 135., 136., 137., 138., 139., 140., 141., 142., 143.,\n"
        "        144., 145., 146., 147., 148., 149., 150., 151., 152., 153., 154., 155.,\n"
        "        156., 157., 158., 159., 160., 161., 162., 163., 164., 165., 166., 167.,\n"
        "        168., 169., 170., 171., 172., 173., 174., 175., 176., 177., 178., 179.,\n"
        "        180., 181., 182., 183., 184., 185., 186., 187., 188., 189., 190., 191.,\n"
        "        192., 193., 194., 195., 196., 197., 198., 199., 200., 201., 202., 203.,\n"
        "        204., 205., 206., 207., 208., 209., 210., 211., 212., 213., 214., 215.,\n"
        "        216., 217., 218., 219., 220., 221., 222., 223., 224., 225., 226., 227.,\n"
        "        228., 229., 230., 231., 232., 233., 234., 235., 236., 237., 238., 239.,\n"
        "        240., 241., 242., 243., 244., 245., 246., 247., 248., 249., 250., 251.,\n"
        "        252., 253., 254., 255., 256., 257., 258., 259., 260., 261., 262., 263.,\n"
        "        264., 265., 266., 267., 268., 269., 270., 271., 272., 273., 274., 275.,\n"
        "        276., 277., 278., 279., 280., 281., 282., 283., 284., 285., 286., 287.,\n"
        "        288., 289., 290., 291., 292., 293., 294., 295., 296., 297., 298., 299.,\n"
        "        300., 301., 302., 303., 304., 305., 306., 307., 308., 309., 310., 311.,\n"
        "        312., 313., 314., 315., 316., 317., 318., 319., 320., 321., 322., 323.,\n"
        "        324., 325., 326., 327., 328., 329., 330., 331., 332., 333., 334., 335.,\n"
        "        336., 337., 338., 339., 340., 341., 342., 343., 344., 345., 346., 347.,\n"
        "        348., 349., 350., 351., 352., 353., 354., 355., 356., 357., 358., 359.,\n"
        "        360., 361., 362., 363., 364., 365., 366., 367., 368., 369., 370., 371.,\n"
        "        372., 373., 374., 375., 376., 377., 378., 379., 380., 381., 382., 383.,\n"
        "        384., 385., 386., 387., 388., 389., 390., 391., 392., 393., 394., 395.,\n"
        "        396., 397., 398., 399., 400., 401., 402., 403., 404., 405., 406., 407.,\n"
        "        408., 409., 410., 411., 412., 413., 414., 415., 416., 417., 418., 419.,\n"
        "        420., 421., 422., 423., 424., 425., 426., 427., 428., 429., 430., 431.,\n"
        "        432., 433., 434., 435., 436., 437., 438., 439., 440., 441., 442., 443.,\n"
        "        444., 445., 446., 447., 448., 449., 450., 451., 452., 453., 454., 455.,\n"
        "        456., 457., 458., 459., 460., 461., 462., 463., 464., 465., 466., 467.,\n"
        "        468., 469., 470., 471., 472., 473., 474., 475., 476., 477., 478., 479.,\n"
        "        480., 481., 482., 483., 484., 485., 486., 487., 488., 489., 490., 491.,\n"
        "        492., 493., 494., 495., 496., 497., 498., 499., 500., 501., 502., 503.,\n"
        "        504., 505., 506., 507., 508., 509., 510., 511., 512., 513., 514., 515.,\n"
        "        516., 517., 518., 519., 520., 521., 522., 523., 524., 525., 526., 527.,\n"
        "        528., 529., 530., 531., 532., 533., 534., 535., 536., 537., 538., 539.,\n"
        "        540., 541., 542., 543., 544., 545., 546., 547., 548., 549., 550., 551.,\n"
        "        552., 553., 554., 555., 556., 557., 558., 559., 560., 561., 562., 563.,\n"
        "        564., 565., 566., 567., 568., 569., 570., 571., 572., 573., 574., 575.,\n"
        "        576., 577., 578., 579., 580., 581., 582., 583., 584., 585., 586., 587.,\n"
        "        588., 589., 590., 591., 592., 593., 594., 595., 596., 597., 598., 599.,\n"
        "        600., 601., 602., 603., 604., 605., 606., 607., 608., 609., 610., 611.,\n"
        "        612., 613., 614., 615., 616., 617., 618., 619., 620., 621., 622., 623.,\n"
        "        624., 625., 626., 627., 628., 629., 630., 631., 632., 633., 634., 635.,\n"
        "        636., 637., 638., 639., 640., 641., 642., 643., 644., 645., 646., 647.,\n"
        "        648., 649., 650., 651., 652., 653., 654., 655., 656., 657., 658., 659.,\n"
        "        660., 661., 662., 663., 664., 665., 666., 667., 668., 669., 670., 671.,\n"
        "        672., 673., 674., 675., 676., 677., 678., 679., 680., 681., 682., 683.,\n"
        "        684., 685., 686., 687., 688., 689., 690., 691., 692., 693., 694., 695.,\n"
        "        696., 697., 698., 699., 700., 701., 702., 703., 704., 705., 706., 707.,\n"
        "        708., 709., 710., 711., 712., 713., 714., 715., 716., 717., 718., 719.,\n"
        "        720., 721., 722., 723., 724., 725., 726., 727., 728., 729., 730., 731.,\n"
        "        732., 733., 734., 735., 736., 737., 738., 739., 740., 741., 742., 743.,\n"
        "        744., 745., 746., 747., 748., 749., 750., 751., 752., 753., 754., 755.,\n"
        "        756., 757., 758., 759., 760., 761., 762., 763., 764., 765., 766., 767.,\n"
        "        768., 769., 770., 771., 772., 773., 774., 775., 776., 777., 778., 779.,\n"
        "        780., 781., 782., 783., 784., 785., 786., 787., 788., 789., 790., 791.,\n"
        "        792., 793., 794., 795., 796., 797., 798., 799., 800., 801., 802., 803.,\n"
        "        804., 805., 806., 807., 808., 809., 810., 811., 812., 813., 814., 815.,\n"
        "        816., 817., 818., 819., 820., 821., 822., 823., 824., 825., 826., 827.,\n"
        "        828., 829., 830., 831., 832., 833., 834., 835., 836., 837., 838., 839.,\n"
        "        840., 841., 842., 843., 844., 845., 846., 847., 848., 849., 850., 851.,\n"
        "        852., 853., 854., 855., 856., 857., 858., 859., 860., 861., 862., 863.,\n"
        "        864., 865., 866., 867., 868., 869., 870., 871., 872., 873., 874., 875.,\n"
        "        876., 877., 878., 879., 880., 881., 882., 883., 884., 885., 886., 887.,\n"
        "        888., 889., 890., 891., 892., 893., 894., 895., 896., 897., 898., 899.,\n"
        "        900., 901., 902., 903., 904., 905., 906., 907., 908., 909., 910., 911.,\n"
        "        912., 913., 914., 915., 916., 917., 918., 919., 920., 921., 922., 923.,\n"
        "        924., 925., 926., 927., 928., 929., 930., 931., 932., 933., 934., 935.,\n"
        "        936., 937., 938., 939., 940., 941., 942., 943., 944., 945., 946., 947.,\n"
        "        948., 949., 950., 951., 952., 953., 954., 955., 956., 957., 958., 959.,\n"
        "        960., 961., 962., 963., 964., 965., 966., 967., 968., 969., 970., 971.,\n"
        "        972., 973., 974., 975., 976., 977., 978., 979., 980., 981., 982., 983.,\n"
        "        984., 985., 986., 987., 988., 989., 990., 991., 992., 993., 994., 995.,\n"
        "        996., 997., 998., 999.])"
    ),
    "T.arange(40.).reshape(2, 20) / 3": (
        "tensor([[ 0.0000,  0.3333,  0.6667,  1.0000,  1.3333,  1.6667,  2.0000,  2.3333,\n"
        "          2.6667,  3.0000,  3.3333,  3.6667,  4.0000,  4.3333,  4.6667,  5.0000,\n"
        "          5.3333,  5.6667,  6.0000,  6.3333],\n"
        "        [ 6.6667,  7.0000,  7.3333,  7.6667,  8.0000,  8.3333,  8.6667,  9.0000,\n"
        "          9.3333,  9.6667, 10.0000, 10.3333, 10.6667, 11.0000, 11.3333, 11.6667,\n"
        "         12.0000, 12.3333, 12.6667, 13.0000]])"
    ),
    "T.arange(3000.).reshape(3, 1000)": (
        "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 9.9700e+02, 9.9800e+02,\n"
        "         9.9900e+02],\n"
        "        [1.0000e+03, 1.0010e+03, 1.0020e+03,  ..., 1.9970e+03, 1.9980e+03,\n"
        "         1.9990e+03],\n"
        "        [2.0000e+03, 2.0010e+03, 2.0020e+03,  ..., 2.9970e+03, 2.9980e+03,\n"
        "         2.9990e+03]])"
    ),
    "T.arange(30.)": (
        "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n"
        "        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n"
        "        28., 29.])"
    ),
    "T.arange(30.) / 7": (
        "tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,\n"
        "        1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286,\n"
        "        2.5714, 2.7143, 2.8571, 3.0000, 3.1429, 3.2857, 3.4286, 3.5714, 3.7143,\n"
        "        3.8571, 4.0000, 4.1429])"
    ),
    "T.arange(12.).reshape(3, 4) + 0.5": (
        "tensor([[ 0.5000,  1.5000,  2.5000,  3.5000],\n"
        "        [ 4.5000,  5.5000,  6.5000,  7.5000],\n"
        "        [ 8.5000,  9.5000, 10.5000, 11.5000]])"
    ),
    "T.arange(2000., requires_grad=True) * 1": (
        "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n"
        "        1.9990e+03], grad_fn=<MulBackward0>)"
    ),
    "T.tensor([1., 2.]) > 1": "tensor([False,  True])",
    "T.ones(2, 3, dtype=T.int64)": ("tensor([[1, 1, 1],\n        [1, 1, 1]])"),
    "T.eye(3)": ("tensor([[1., 0., 0.],\n        [0., 1., 0.],\n        [0., 0., 1.]])"),
    "T.full((2, 2), 7)": ("tensor([[7, 7],\n        [7, 7]])"),
    "T.full((2,), 0.5)": "tensor([0.5000, 0.5000])",
    "T.tensor([[1.0, 1e6], [2.0, 3.0]])": (
        "tensor([[1.0000e+00, 1.0000e+06],\n        [2.0000e+00, 3.0000e+00]])"
    ),
    "T.tensor([100., 200.])": "tensor([100., 200.])",
    "T.tensor([12345.678])": "tensor([12345.6777])",
    "T.tensor(1e-8)": "tensor(1.0000e-08)",
    "T.tensor(-3.)": "tensor(-3.)",
    "T.arange(3000).reshape(1000, 3)": (
        "tensor([[   0,    1,    2],\n"
        "        [   3,    4,    5],\n"
        "        [   6,    7,    8],\n"
        "        ...,\n"
        "        [2991, 2992, 2993],\n"
        "        [2994, 2995, 2996],\n"
        "        [2997, 2998, 2999]])"
    ),
    "T.arange(2000.).reshape(1000, 2) * 0.5": (
        "tensor([[0.0000e+00, 5.0000e-01],\n"
        "        [1.0000e+00, 1.5000e+00],\n"
        "        [2.0000e+00, 2.5000e+00],\n"
        "        ...,\n"
        "        [9.9700e+02, 9.9750e+02],\n"
        "        [9.9800e+02, 9.9850e+02],\n"
        "        [9.9900e+02, 9.9950e+02]])"
    ),
    "T.ones(1001, dtype=T.bool)": "tensor([True, True, True,  ..., True, True, True])",
}


def notes(error: BaseException) -> str:
    """The hints minigrad attaches to PyTorch's message (exception notes, Python 3.11+)."""
    return "\n".join(getattr(error, "__notes__", []))


@pytest.mark.parametrize("expression", list(REPRS))
def test_repr_matches_pytorchs(expression):
    assert repr(eval(expression, {"T": minigrad})) == REPRS[expression]  # noqa: S307


def test_repr_table_matches_torch(torch):
    for expression, expected in REPRS.items():
        printed = repr(eval(expression, {"T": torch}))  # noqa: S307
        assert printed.replace("torch.", "minigrad.") == expected, expression


def test_repr_of_dtypes_and_sizes():
    assert repr(minigrad.float32) == "minigrad.float32"
    assert repr(minigrad.int64) == "minigrad.int64"
    assert repr(minigrad.ones(2, 3).shape) == "minigrad.Size([2, 3])"
    assert repr(minigrad.tensor(1.0).shape) == "minigrad.Size([])"
    assert str(minigrad.tensor([1.0, 2.0])) == "tensor([1., 2.])"


# ---------------------------------------------------------------------- factories
SHAPE_FORMS = [((2, 3), (2, 3)), (((2, 3),), (2, 3)), (([2, 3],), (2, 3)), ((4,), (4,)), ((), ())]


@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "rand", "randn"])
@pytest.mark.parametrize("args, shape", SHAPE_FORMS)
def test_shape_factories_take_ints_or_a_tuple(name, args, shape):
    t = getattr(minigrad, name)(*args)
    assert t.shape == shape and isinstance(t.shape, tuple)
    assert t.dtype is minigrad.float32
    assert not t.requires_grad and t.is_leaf
    t = getattr(minigrad, name)(*args, dtype=minigrad.float64, requires_grad=True)
    assert t.dtype is minigrad.float64 and t.requires_grad and t.is_leaf


def test_factory_values():
    np.testing.assert_array_equal(minigrad.zeros(2, 2).data, np.zeros((2, 2)))
    np.testing.assert_array_equal(minigrad.ones(3).data, [1, 1, 1])
    np.testing.assert_array_equal(minigrad.eye(3).data, np.eye(3))
    assert minigrad.eye(2, 3).shape == (2, 3)
    full = minigrad.full((2, 2), 7)
    assert full.dtype is minigrad.int64 and full.tolist() == [[7, 7], [7, 7]]  # as torch
    assert minigrad.full((2,), 0.5).dtype is minigrad.float32
    assert minigrad.full((2,), True).dtype is minigrad.bool
    assert minigrad.full((2,), 1, dtype=minigrad.float64).dtype is minigrad.float64
    r = minigrad.rand(1000)
    assert 0 <= r.data.min() and r.data.max() < 1
    n = minigrad.randn(10_000)
    assert abs(n.data.mean()) < 0.05 and abs(n.data.std() - 1) < 0.05


def test_arange_and_linspace():
    a = minigrad.arange(5)
    assert a.dtype is minigrad.int64 and a.tolist() == [0, 1, 2, 3, 4]
    assert minigrad.arange(5.0).dtype is minigrad.float32
    assert minigrad.arange(2, 8, 2).tolist() == [2, 4, 6]
    quarters = minigrad.arange(0, 1, 0.25)
    assert quarters.dtype is minigrad.float32 and quarters.tolist() == [0, 0.25, 0.5, 0.75]
    assert minigrad.arange(3, dtype=minigrad.float64).dtype is minigrad.float64
    line = minigrad.linspace(0, 1, 5)
    assert line.dtype is minigrad.float32 and line.tolist() == [0, 0.25, 0.5, 0.75, 1]
    assert minigrad.arange(3.0, requires_grad=True).requires_grad


def test_like_factories_keep_shape_and_dtype():
    x = minigrad.ones(2, 3, dtype=minigrad.float64, requires_grad=True)
    for name in ("zeros_like", "ones_like", "randn_like"):
        y = getattr(minigrad, name)(x)
        assert y.shape == (2, 3) and y.dtype is minigrad.float64
        assert not y.requires_grad  # as torch: requires_grad is not copied
    assert minigrad.zeros_like(x, dtype=minigrad.float32).dtype is minigrad.float32
    assert minigrad.ones_like(x, requires_grad=True).requires_grad
    np.testing.assert_array_equal(minigrad.zeros_like(x).data, np.zeros((2, 3)))


def test_manual_seed_makes_random_tensors_reproducible():
    minigrad.manual_seed(42)
    first = (minigrad.rand(3).tolist(), minigrad.randn(2, 2).tolist())
    minigrad.manual_seed(42)
    second = (minigrad.rand(3).tolist(), minigrad.randn(2, 2).tolist())
    assert first == second
    minigrad.manual_seed(43)
    assert minigrad.rand(3).tolist() != first[0]
    minigrad.manual_seed(42)
    like = minigrad.randn_like(minigrad.zeros(2, 2))
    minigrad.manual_seed(42)
    minigrad.rand(3)
    assert minigrad.randn(2, 2).tolist() != like.tolist()  # the stream moved on


# ---------------------------------------------------------------------- dtypes of data
# data → dtype torch 2.13.0 gives torch.tensor(data)
DATA_DTYPES = [
    (1.5, "float32"),
    ([1.0, 2.0], "float32"),
    ([1, 2.5], "float32"),
    (3, "int64"),
    ([1, 2], "int64"),
    ([True, 2], "int64"),
    (True, "bool"),
    ([[True], [False]], "bool"),
    (np.array([1.5]), "float64"),
    (np.array([1.5], dtype=np.float32), "float32"),
    (np.array([1, 2]), "int64"),
]


@pytest.mark.parametrize("data, expected", DATA_DTYPES)
def test_tensor_infers_dtype_from_data(data, expected):
    t = minigrad.tensor(data)
    assert t.dtype is getattr(minigrad, expected)
    np.testing.assert_array_equal(t.data, np.asarray(data))


def test_tensor_with_an_explicit_dtype_and_aliases():
    assert minigrad.tensor([1, 2], dtype=minigrad.float64).dtype is minigrad.float64
    assert minigrad.tensor([1.7, 2.2], dtype=minigrad.int64).tolist() == [1, 2]
    assert minigrad.float is minigrad.float32 and minigrad.double is minigrad.float64
    assert minigrad.long is minigrad.int64
    assert minigrad.tensor([1.0]).dtype.is_floating_point
    assert not minigrad.tensor([1]).dtype.is_floating_point


def test_tensor_copies_its_data():
    array = np.array([1.0, 2.0])
    t = minigrad.tensor(array)
    array[0] = 100
    assert t.tolist() == [1, 2]
    with pytest.warns(UserWarning, match="To copy construct from a tensor"):  # as PyTorch
        u = minigrad.tensor(t)
    t.data[1] = 50
    assert u.tolist() == [1, 2]


def test_casts():
    x = minigrad.tensor([1.7, -2.2], requires_grad=True)
    assert x.long().tolist() == [1, -2] and x.long().dtype is minigrad.int64
    assert x.bool().tolist() == [True, True]
    assert x.double().dtype is minigrad.float64
    assert x.to(minigrad.float64).dtype is minigrad.float64
    assert x.float() is x  # already float32: no copy, as torch
    assert minigrad.tensor([1, 0]).float().tolist() == [1.0, 0.0]
    assert x.type_as(minigrad.tensor([1])).dtype is minigrad.int64


# ---------------------------------------------------------------------- attributes
def test_shape_attributes():
    x = minigrad.zeros(2, 3, 4)
    assert x.shape == (2, 3, 4) and x.size() == (2, 3, 4)
    assert x.size(0) == 2 and x.size(-1) == 4
    assert x.ndim == 3 and x.dim() == 3 and x.numel() == 24 and len(x) == 2
    assert x.T.shape == (4, 3, 2)
    assert minigrad.tensor(5.0).shape == () and minigrad.tensor(5.0).numel() == 1
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(minigrad.tensor(5.0))


def test_iterating_over_a_tensor_gives_its_rows():
    x = minigrad.arange(6).reshape(3, 2)
    rows = list(x)
    assert len(rows) == 3 and rows[2].tolist() == [4, 5]


# ---------------------------------------------------------------------- NumPy and Python numbers
def test_numpy_shares_memory():
    t = minigrad.zeros(3)
    array = t.numpy()
    array[0] = 5
    assert t.tolist() == [5, 0, 0]
    t.data[1] = 7
    assert array[1] == 7
    detached = minigrad.ones(2, requires_grad=True).detach().numpy()
    assert detached.tolist() == [1, 1]


def test_np_asarray_of_a_tensor():
    t = minigrad.tensor([[1, 2], [3, 4]])
    array = np.asarray(t)
    assert isinstance(array, np.ndarray) and array.dtype == np.int64
    np.testing.assert_array_equal(array, [[1, 2], [3, 4]])
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        np.asarray(minigrad.ones(2, requires_grad=True))


def test_python_number_conversions():
    assert float(minigrad.tensor(2.5)) == 2.5 and isinstance(float(minigrad.tensor(2)), float)
    assert int(minigrad.tensor(2.7)) == 2 and int(minigrad.tensor([[3]])) == 3
    assert bool(minigrad.tensor(0.0)) is False and bool(minigrad.tensor([1])) is True
    assert minigrad.tensor(2.5).item() == 2.5 and isinstance(minigrad.tensor(3).item(), int)
    assert isinstance(minigrad.tensor(True).item(), bool)
    assert minigrad.tensor([[7.0]]).item() == 7.0
    assert [10, 11, 12][minigrad.tensor(1)] == 11  # integer tensors are indices
    with pytest.raises(TypeError, match="only integer tensors of a single element"):
        [10, 11, 12][minigrad.tensor(1.0)]


def test_conversions_of_several_elements_raise_as_torch():
    two = minigrad.ones(2)
    with pytest.raises(
        RuntimeError, match="a Tensor with 2 elements cannot be converted to Scalar"
    ):
        two.item()
    with pytest.raises(
        RuntimeError, match="Boolean value of Tensor with more than one value is ambiguous"
    ):
        bool(two)
    for convert in (float, int):
        with pytest.raises(
            ValueError, match="only one element tensors can be converted to Python scalars"
        ):
            convert(two)


def test_tolist():
    assert minigrad.tensor(2.5).tolist() == 2.5
    assert minigrad.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert minigrad.tensor([True, False]).tolist() == [True, False]
    assert minigrad.zeros(0).tolist() == []


# ---------------------------------------------------------------------- results that need no grad
def test_comparisons_return_bool_tensors_without_grad():
    x = minigrad.tensor([1.0, 3.0, 2.0], requires_grad=True)
    y = minigrad.tensor([2.0, 2.0, 2.0], requires_grad=True)
    results = {
        "<": (x < y, [True, False, False]),
        "<=": (x <= y, [True, False, True]),
        ">": (x > y, [False, True, False]),
        ">=": (x >= 2, [False, True, True]),
        "==": (x == y, [False, False, True]),
        "!=": (x != 2, [True, True, False]),
    }
    for name, (result, expected) in results.items():
        assert result.dtype is minigrad.bool, name
        assert not result.requires_grad and result.grad_fn is None, name
        assert result.tolist() == expected, name


def test_argmax_argmin_and_integer_casts_need_no_grad():
    x = minigrad.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]], requires_grad=True)
    for result, expected in (
        (x.argmax(), 3),
        (x.argmax(dim=1), [1, 0]),
        (x.argmax(dim=0, keepdim=True), [[1, 0, 1]]),
        (minigrad.argmax(x, dim=1), [1, 0]),
        (x.argmin(dim=1), [0, 1]),
        (x.long(), [[1, 5, 2], [7, 0, 3]]),
    ):
        assert result.dtype is minigrad.int64
        assert not result.requires_grad and result.grad_fn is None
        assert result.tolist() == expected
    assert not x.bool().requires_grad
    assert x.double().requires_grad and x.double().grad_fn.name() == "ToCopyBackward0"


# ---------------------------------------------------------------------- errors that name shapes
BINARY_OPERATIONS = {
    "+": lambda a, b: a + b,
    "*": lambda a, b: a * b,
    "- (reversed)": lambda a, b: b - a,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a.abs() ** b,
    "where": lambda a, b: minigrad.where(a > 0, b, 0.0),
}


@pytest.mark.parametrize("name", list(BINARY_OPERATIONS))
def test_operands_that_do_not_broadcast_name_both_shapes(name):
    with pytest.raises(RuntimeError, match="must match the size") as error:
        BINARY_OPERATIONS[name](minigrad.ones(2, 3), minigrad.ones(4))
    # PyTorch's message, with both shapes in the note beside it
    assert str(error.value).endswith("at non-singleton dimension 1")
    assert "[2, 3]" in notes(error.value) and "[4]" in notes(error.value)


def test_matmul_shape_errors_name_both_shapes():
    with pytest.raises(
        RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"
    ):
        minigrad.ones(2, 3) @ minigrad.ones(4, 5)
    with pytest.raises(RuntimeError, match="inconsistent tensor size") as error:
        minigrad.ones(3) @ minigrad.ones(4)
    assert "[3]" in notes(error.value) and "[4]" in notes(error.value)
    with pytest.raises(RuntimeError, match="at least 1D"):
        minigrad.tensor(1.0) @ minigrad.ones(2)


def test_matmul_batch_dimensions_that_do_not_broadcast_name_both_shapes():
    with pytest.raises(RuntimeError, match="must match the size of tensor b") as error:
        minigrad.ones(2, 2, 3) @ minigrad.ones(3, 3, 2)
    assert "[2, 2, 3]" in notes(error.value) and "[3, 3, 2]" in notes(error.value)


def test_shape_errors_are_pytorchs():
    x = minigrad.arange(6.0).reshape(2, 3)
    with pytest.raises(RuntimeError, match=r"shape '\[4\]' is invalid for input of size 6"):
        x.reshape(4)
    with pytest.raises(
        IndexError,
        match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)",
    ):
        x.sum(dim=2)
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.transpose(0, 2)
    with pytest.raises(
        RuntimeError,
        match="Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4",
    ):
        minigrad.cat([x, minigrad.ones(2, 4)])
    with pytest.raises(
        RuntimeError,
        match=r"stack expects each tensor to be equal size, "
        r"but got \[2, 3\] at entry 0 and \[3, 2\] at entry 1",
    ):
        minigrad.stack([x, minigrad.ones(3, 2)])
    with pytest.raises(
        RuntimeError,
        match=r"The expanded size of the tensor \(4\) must match the existing size \(3\)",
    ):
        minigrad.ones(3).expand(2, 4)


INDEX_ERRORS = {
    "index 5 is out of bounds for dimension 0 with size 2": lambda x: x[5],
    "index -3 is out of bounds for dimension 0 with size 2": lambda x: x[-3],
    "index 3 is out of bounds for dimension 1 with size 3": lambda x: x[0, 3],
    "index 3 is out of bounds for dimension 1 with size 3 ": lambda x: x[:, 3],
    "too many indices for tensor of dimension 2": lambda x: x[0, 0, 0],
    "index 2 is out of bounds for dimension 0 with size 2": lambda x: x[[0, 2]],
    "tensors used as indices must be long, int, byte or bool": lambda x: x[minigrad.tensor([0.0])],
}


@pytest.mark.parametrize("message", list(INDEX_ERRORS))
def test_indexing_errors(message):
    # The messages are torch 2.13.0's (a trailing space only tells two cases apart).
    with pytest.raises(IndexError, match=message.strip()):
        INDEX_ERRORS[message](minigrad.arange(6.0).reshape(2, 3))


def test_a_mask_of_the_wrong_shape_names_both_shapes():
    with pytest.raises(IndexError) as error:
        minigrad.arange(6.0).reshape(2, 3)[minigrad.tensor([True, False, True])]
    assert "[3]" in str(error.value) and "[2, 3]" in str(error.value)


# ---------------------------------------------------------------------- pickling
@pytest.mark.parametrize(
    "make",
    [
        lambda: minigrad.tensor([[1.5, 2.0], [3.0, 4.0]]),
        lambda: minigrad.tensor([1, 2, 3]),
        lambda: minigrad.tensor([True, False]),
        lambda: minigrad.tensor(2.5, dtype=minigrad.float64),
        lambda: minigrad.ones(2, requires_grad=True),
    ],
)
def test_pickling_round_trip(make):
    t = make()
    copy = pickle.loads(pickle.dumps(t))
    assert copy is not t and copy.dtype is t.dtype and copy.shape == t.shape
    assert copy.requires_grad == t.requires_grad and copy.is_leaf
    np.testing.assert_array_equal(copy.data, t.data)
    copy.data.flat[0] = 0  # its own memory
    assert pickle.loads(pickle.dumps(minigrad.float64)) is minigrad.float64


def test_pickling_a_non_leaf_gives_a_leaf_that_requires_grad():
    # As torch 2.13.0: the history is not pickled.
    y = minigrad.ones(2, requires_grad=True) * 2
    copy = pickle.loads(pickle.dumps(y))
    assert copy.is_leaf and copy.requires_grad and copy.tolist() == [2, 2]


def test_mT_of_a_vector_and_of_a_number_as_in_pytorch():
    # PyTorch: a 1-D tensor has no matrix transpose; a 0-D one is returned with a warning.
    message = "tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor."
    with pytest.raises(RuntimeError, match=message):
        _ = minigrad.ones(3).mT
    number = minigrad.tensor(2.0)
    with pytest.warns(UserWarning, match="Tensor.mT is deprecated on 0-D tensors"):
        assert number.mT is number
    batch = minigrad.arange(24.0).reshape(2, 3, 4).requires_grad_()
    assert batch.mT.shape == (2, 4, 3) and batch.mT.grad_fn.name() == "TransposeBackward0"


# Where minigrad has more to say than PyTorch, str(error) stays PyTorch's message (the
# reference cases named message_* check it word for word) and the hint is a note beside it.
HINTS = {
    "(minigrad.ones(2, requires_grad=True) * 2).backward()": "pass gradient=",
    "minigrad.ones(2).sum().backward()": "requires_grad=True",
    "minigrad.tensor([1, 2], requires_grad=True)": "dtype=minigrad.float32",
    "float(minigrad.ones(3))": "shape [3]",
    "bool(minigrad.ones(3))": "3 values",
    "minigrad.ones(2, requires_grad=True).add_(1)": "minigrad.no_grad()",
    "minigrad.tensor([1, 2]).mean()": "x.float().mean()",
    "minigrad.ones(3) @ minigrad.ones(4)": "[3] and [4]",
    "minigrad.nn.functional.cross_entropy(minigrad.ones(2, 3), minigrad.tensor([0, 5]))": "3 classes",
}


@pytest.mark.parametrize("code", list(HINTS))
def test_hints_are_notes_beside_pytorchs_message(code):
    import traceback

    with pytest.raises(Exception) as error:  # noqa: PT011 - the type is checked by the reference cases
        exec(code, {"minigrad": minigrad})  # noqa: S102
    assert HINTS[code] in notes(error.value)
    assert HINTS[code] not in str(error.value)
    assert HINTS[code] in "".join(traceback.format_exception(error.value))  # a traceback shows the note
