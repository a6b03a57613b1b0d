"""Cell-based NAS networks built from published cells: DARTS V2 in the DARTS ImageNet network, and
AmoebaNet-A in its own ImageNet network.

Written for Cosma (our own code). The cells and the network skeletons are facts taken from:

- H. Liu, K. Simonyan, Y. Yang. "DARTS: Differentiable Architecture Search." ICLR 2019
  (arXiv:1806.09055): the DARTS (second order, "V2") cell genotype and the ImageNet network
  (mobile setting): three stride-2 3x3 convolution stem, 14 cells with 48 initial channels, reduction
  cells at 1/3 and 2/3 of the depth, global average pooling and a linear classifier; 4.7 M
  parameters. (`NetworkImageNet`.)
- E. Real, A. Aggarwal, Y. Huang, Q. V. Le. "Regularized Evolution for Image Classifier Architecture
  Search." AAAI 2019 (arXiv:1802.01548): AmoebaNet-A, mobile ImageNet setting N=4, F=50, 5.1 M
  parameters (5.06 M in the abstract of arXiv v1). Its macro-architecture is NASNet's ImageNet
  network (Zoph et al. 2018), as the authors' reference implementation (tensorflow/tpu,
  models/official/amoeba_net) builds it: a 3x3 stride-2 convolution with 32 filters (no padding),
  two reduction cells with F/4 and F/2 filters, then 3 stacks of N normal cells with F, 2F and 4F
  filters separated by reduction cells, ReLU, global average pooling and a linear classifier. The
  cells (operations, inputs, and which hidden states are concatenated into the cell output) are the
  ones of that implementation; the auxiliary head (training only) is not built: 5.1 M does not count
  it, as NASNet-A Mobile's 5.3 M does not count its own. (`AmoebaNetImageNet`.)

DARTS operations follow the definitions of the DARTS paper: a separable convolution is applied twice
(ReLU, depthwise k x k, pointwise 1x1, BatchNorm, repeated with stride 1), a dilated convolution is
ReLU, depthwise k x k with dilation 2, pointwise 1x1, BatchNorm; a "skip connection" in a reduction
cell is a factorized reduction (two 1x1 stride-2 convolutions on offset inputs, concatenated).
AmoebaNet operations follow NASNet's definitions, see `AmoebaCell`.
"""

import torch
from torch import nn

# (operation, input index) pairs, two per intermediate node; inputs 0 and 1 are the two previous
# cells' outputs, input k >= 2 is intermediate node k - 2.
DARTS_V2 = dict(
    normal=[("sep_conv_3x3", 0), ("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("sep_conv_3x3", 1),
            ("sep_conv_3x3", 1), ("skip_connect", 0), ("skip_connect", 0), ("dil_conv_3x3", 2)],
    normal_concat=[2, 3, 4, 5],
    reduce=[("max_pool_3x3", 0), ("max_pool_3x3", 1), ("skip_connect", 2), ("max_pool_3x3", 1),
            ("max_pool_3x3", 0), ("skip_connect", 2), ("skip_connect", 2), ("max_pool_3x3", 1)],
    reduce_concat=[2, 3, 4, 5],
)

def relu_conv_bn(c_in, c_out, kernel, stride, padding):
    return nn.Sequential(nn.ReLU(), nn.Conv2d(c_in, c_out, kernel, stride, padding, bias=False),
                         nn.BatchNorm2d(c_out))


def dil_conv(c_in, c_out, kernel, stride, padding, dilation):
    return nn.Sequential(
        nn.ReLU(),
        nn.Conv2d(c_in, c_in, kernel, stride, padding, dilation=dilation, groups=c_in, bias=False),
        nn.Conv2d(c_in, c_out, 1, bias=False),
        nn.BatchNorm2d(c_out),
    )


def sep_conv(c_in, c_out, kernel, stride, padding):
    return nn.Sequential(
        dil_conv(c_in, c_in, kernel, stride, padding, 1),
        dil_conv(c_in, c_out, kernel, 1, padding, 1),
    )


class FactorizedReduce(nn.Module):
    """Halve the spatial size: two 1x1 stride-2 convolutions, the second on the input shifted by one
    pixel, concatenated along channels, then BatchNorm."""

    def __init__(self, c_in, c_out):
        super().__init__()
        assert c_out % 2 == 0
        self.relu = nn.ReLU()
        self.conv_a = nn.Conv2d(c_in, c_out // 2, 1, stride=2, bias=False)
        self.conv_b = nn.Conv2d(c_in, c_out // 2, 1, stride=2, bias=False)
        self.bn = nn.BatchNorm2d(c_out)

    def forward(self, x):
        x = self.relu(x)
        return self.bn(torch.cat([self.conv_a(x), self.conv_b(x[:, :, 1:, 1:])], dim=1))


def make_op(name, c, stride):
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride=stride, padding=1, count_include_pad=False)
    if name == "max_pool_3x3":
        return nn.MaxPool2d(3, stride=stride, padding=1)
    if name == "skip_connect":
        return nn.Identity() if stride == 1 else FactorizedReduce(c, c)
    if name.startswith("sep_conv_"):
        k = int(name[-1])
        return sep_conv(c, c, k, stride, k // 2)
    if name.startswith("dil_conv_"):
        k = int(name[-1])
        return dil_conv(c, c, k, stride, k - 1, 2)
    if name == "conv_7x1_1x7":
        return nn.Sequential(
            nn.ReLU(),
            nn.Conv2d(c, c, (1, 7), stride=(1, stride), padding=(0, 3), bias=False),
            nn.Conv2d(c, c, (7, 1), stride=(stride, 1), padding=(3, 0), bias=False),
            nn.BatchNorm2d(c),
        )
    raise ValueError(f"unknown operation {name}")


class Cell(nn.Module):
    def __init__(self, genotype, c_prev_prev, c_prev, c, reduction, reduction_prev):
        super().__init__()
        kind = "reduce" if reduction else "normal"
        ops = genotype[kind]
        self.concat = genotype[kind + "_concat"]
        self.pre0 = FactorizedReduce(c_prev_prev, c) if reduction_prev else relu_conv_bn(c_prev_prev, c, 1, 1, 0)
        self.pre1 = relu_conv_bn(c_prev, c, 1, 1, 0)
        self.indices = [index for _, index in ops]
        self.ops = nn.ModuleList(
            make_op(name, c, 2 if reduction and index < 2 else 1) for name, index in ops)
        self.multiplier = len(self.concat)

    def forward(self, s0, s1):
        states = [self.pre0(s0), self.pre1(s1)]
        for step in range(len(self.ops) // 2):
            a, b = 2 * step, 2 * step + 1
            states.append(self.ops[a](states[self.indices[a]]) + self.ops[b](states[self.indices[b]]))
        return torch.cat([states[i] for i in self.concat], dim=1)


class NetworkImageNet(nn.Module):
    """The DARTS ImageNet (mobile setting) network around a cell genotype; no auxiliary head."""

    def __init__(self, genotype, channels=48, layers=14, num_classes=1000):
        super().__init__()
        c = channels
        self.stem0 = nn.Sequential(
            nn.Conv2d(3, c // 2, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(c // 2), nn.ReLU(),
            nn.Conv2d(c // 2, c, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(c))
        self.stem1 = nn.Sequential(nn.ReLU(), nn.Conv2d(c, c, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(c))
        c_prev_prev, c_prev, c_curr = c, c, c
        reduction_prev = True
        cells = []
        for i in range(layers):
            reduction = i in (layers // 3, 2 * layers // 3)
            if reduction:
                c_curr *= 2
            cell = Cell(genotype, c_prev_prev, c_prev, c_curr, reduction, reduction_prev)
            cells.append(cell)
            reduction_prev = reduction
            c_prev_prev, c_prev = c_prev, cell.multiplier * c_curr
        self.cells = nn.ModuleList(cells)
        self.global_pooling = nn.AvgPool2d(7)
        self.classifier = nn.Linear(c_prev, num_classes)

    def forward(self, x):
        s0 = self.stem0(x)
        s1 = self.stem1(s0)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1)
        out = self.global_pooling(s1)
        return self.classifier(out.flatten(1))


# ---------------------------------------------------------------------------------------------
# AmoebaNet-A in its own (NASNet-style) ImageNet network.

# Five blocks per cell, each the sum of two (operation, input) pairs. Inputs: 0 is the cell's current
# input (the previous cell's output after ReLU, 1x1 convolution, BatchNorm), 1 the input before it
# (the output of the cell before the previous one, matched to the current filters and resolution),
# 2 + k the output of block k. `concat`: the hidden states concatenated into the cell output (for the
# normal cell input 1 and blocks 1, 2, 4; for the reduction cell all five blocks).
AMOEBANET_A = dict(
    normal=[("avg_pool_3x3", 0), ("max_pool_3x3", 0),
            ("sep_conv_3x3", 1), ("none", 1),
            ("none", 0), ("avg_pool_3x3", 1),
            ("sep_conv_3x3", 0), ("sep_conv_5x5", 2),
            ("avg_pool_3x3", 5), ("sep_conv_3x3", 0)],
    normal_concat=[1, 3, 4, 6],
    reduce=[("sep_conv_3x3", 1), ("avg_pool_3x3", 0),
            ("max_pool_3x3", 0), ("sep_conv_7x7", 2),
            ("max_pool_3x3", 1), ("max_pool_3x3", 0),
            ("sep_conv_3x3", 4), ("conv_1x7_7x1", 0),
            ("avg_pool_3x3", 1), ("sep_conv_7x7", 0)],
    reduce_concat=[2, 3, 4, 5, 6],
)


def conv_bn(c_in, c_out, kernel=1, stride=1, padding=0, relu=True):
    layers = [nn.ReLU()] if relu else []
    return nn.Sequential(*layers, nn.Conv2d(c_in, c_out, kernel, stride, padding, bias=False), nn.BatchNorm2d(c_out))


class ShiftedFactorizedReduce(nn.Module):
    """NASNet's factorized reduction: ReLU, then two 1x1 stride-2 convolutions, the second on the input
    shifted by one pixel (zero-padded at the bottom and right, so odd sizes work), concatenated along
    channels, then BatchNorm. An odd `c_out` (F/2 = 25 in the stem) is split as c_out // 2 + the rest."""

    def __init__(self, c_in, c_out):
        super().__init__()
        self.relu = nn.ReLU()
        self.conv_a = nn.Conv2d(c_in, c_out // 2, 1, stride=2, bias=False)
        self.conv_b = nn.Conv2d(c_in, c_out - c_out // 2, 1, stride=2, bias=False)
        self.bn = nn.BatchNorm2d(c_out)

    def forward(self, x):
        x = self.relu(x)
        shifted = nn.functional.pad(x, (0, 1, 0, 1))[:, :, 1:, 1:]
        return self.bn(torch.cat([self.conv_a(x), self.conv_b(shifted)], dim=1))


class SeparableStack(nn.Module):
    """NASNet's separable convolution: twice (ReLU, depthwise k x k, pointwise 1x1, BatchNorm); the
    stride is on the first depthwise convolution, which reads `c_in` channels."""

    def __init__(self, c_in, c, kernel, stride):
        super().__init__()
        layers = []
        for k, (ci, s) in enumerate(((c_in, stride), (c, 1))):
            layers += [nn.ReLU(), nn.Conv2d(ci, ci, kernel, s, kernel // 2, groups=ci, bias=False),
                       nn.Conv2d(ci, c, 1, bias=False), nn.BatchNorm2d(c)]
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x)


class PoolOp(nn.Module):
    """3x3 pooling (average pooling ignores the padding); a 1x1 convolution and BatchNorm (no ReLU)
    follow when the input does not have the cell's filters."""

    def __init__(self, kind, c_in, c, stride):
        super().__init__()
        self.pool = (nn.AvgPool2d(3, stride, 1, count_include_pad=False) if kind == "avg"
                     else nn.MaxPool2d(3, stride, 1))
        self.project = conv_bn(c_in, c, relu=False) if c_in != c else nn.Identity()

    def forward(self, x):
        return self.project(self.pool(x))


def amoeba_op(name, c_in, c, stride):
    if name.startswith("sep_conv_"):
        return SeparableStack(c_in, c, int(name[-1]), stride)
    if name in ("avg_pool_3x3", "max_pool_3x3"):
        return PoolOp(name[:3], c_in, c, stride)
    if name == "none":  # identity, or a strided / projecting ReLU-1x1-BatchNorm
        return conv_bn(c_in, c, 1, stride) if stride > 1 or c_in != c else nn.Identity()
    if name == "conv_1x7_7x1":  # bottleneck to c / 4 around a 1x7 then 7x1 convolution
        r = c // 4
        return nn.Sequential(
            conv_bn(c_in, r),
            nn.ReLU(), nn.Conv2d(r, r, (1, 7), (1, stride), (0, 3), bias=False), nn.BatchNorm2d(r),
            nn.ReLU(), nn.Conv2d(r, r, (7, 1), (stride, 1), (3, 0), bias=False), nn.BatchNorm2d(r),
            conv_bn(r, c))
    raise ValueError(f"unknown operation {name}")


class AmoebaCell(nn.Module):
    """A NASNet-style cell with `c` filters. `c_prev` is None for the first cell (whose input 1 is then
    its unprocessed input); `prev_reduce` says that input 1 has twice the resolution of input 0."""

    def __init__(self, genotype, c_cur, c_prev, c, reduction, prev_reduce):
        super().__init__()
        kind = "reduce" if reduction else "normal"
        ops, self.concat = genotype[kind], genotype[kind + "_concat"]
        self.cur = conv_bn(c_cur, c)
        if c_prev is None:
            self.prev, c_in1 = None, c_cur
        elif prev_reduce:
            self.prev, c_in1 = ShiftedFactorizedReduce(c_prev, c), c
        elif c_prev != c:
            self.prev, c_in1 = conv_bn(c_prev, c), c
        else:
            self.prev, c_in1 = nn.Identity(), c_prev
        channels = [c, c_in1] + [c] * (len(ops) // 2)
        # Every concatenated state has c channels at the output resolution (input 1 of a reduction
        # cell would not, but no reduction cell concatenates it).
        assert all(channels[i] == c and not (reduction and i < 2) for i in self.concat)
        self.indices = [index for _, index in ops]
        self.ops = nn.ModuleList(amoeba_op(name, channels[index], c, 2 if reduction and index < 2 else 1)
                                 for name, index in ops)
        self.c_out = c * len(self.concat)

    def forward(self, cur, prev):
        cur_in = cur
        states = [self.cur(cur), cur_in if self.prev is None else self.prev(prev)]
        for block in range(len(self.ops) // 2):
            a, b = 2 * block, 2 * block + 1
            states.append(self.ops[a](states[self.indices[a]]) + self.ops[b](states[self.indices[b]]))
        return torch.cat([states[i] for i in self.concat], dim=1)


class AmoebaNetImageNet(nn.Module):
    """AmoebaNet's ImageNet network (NASNet's): stem convolution, 2 stem reduction cells (F/4, F/2
    filters), 3 x N normal cells with reduction cells before normal cells N and 2N (F, 2F, 4F filters),
    ReLU, global average pooling, linear classifier. No auxiliary head (training only)."""

    def __init__(self, genotype, filters=50, normal_per_stack=4, stem_filters=32, num_classes=1000):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, stem_filters, 3, stride=2, padding=0, bias=False),
                                  nn.BatchNorm2d(stem_filters))
        # (filters, reduction) per cell; the stem cells are reduction cells with F/4 and F/2 filters.
        plan = [(int(filters / 4), True), (int(filters / 2), True)]
        for stack in range(3):
            if stack > 0:
                plan.append((filters * 2 ** stack, True))
            plan += [(filters * 2 ** stack, False)] * normal_per_stack
        # Per earlier output: channels and whether the next-but-one cell must reduce it.
        c_prev, c_cur = None, stem_filters
        reduced_prev = False  # whether the cell producing c_cur reduced the resolution
        cells = []
        for c, reduction in plan:
            cell = AmoebaCell(genotype, c_cur, c_prev, c, reduction, prev_reduce=reduced_prev and c_prev is not None)
            cells.append(cell)
            c_prev, c_cur, reduced_prev = c_cur, cell.c_out, reduction
        self.cells = nn.ModuleList(cells)
        self.relu = nn.ReLU()
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_cur, num_classes)

    def forward(self, x):
        prev, cur = None, self.stem(x)
        for cell in self.cells:
            prev, cur = cur, cell(cur, prev)
        return self.classifier(self.global_pooling(self.relu(cur)).flatten(1))
