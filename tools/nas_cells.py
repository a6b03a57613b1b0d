"""Cell-based NAS networks built from published genotypes, in the DARTS ImageNet skeleton.

Written for Cosma (our own code). The genotypes and the network skeleton are facts taken from:

- H. Liu, K. Simonyan, Y. Yang. "DARTS: Differentiable Architecture Search." ICLR 2019
  (arXiv:1806.09055): the DARTS (second order, "V2") cell genotype and the ImageNet network
  (mobile setting): three stride-2 3x3 convolution stem, 14 cells with 48 initial channels, reduction
  cells at 1/3 and 2/3 of the depth, global average pooling and a linear classifier; 4.7 M
  parameters.
- E. Real, A. Aggarwal, Y. Huang, Q. V. Le. "Regularized Evolution for Image Classifier Architecture
  Search." AAAI 2019 (arXiv:1802.01548): the AmoebaNet-A normal and reduction cells, as transcribed
  into the DARTS genotype format by the DARTS authors (5 nodes per cell, each the sum of two
  operations; the normal cell outputs nodes 4, 5, 6 and the reduction cell nodes 3, 4, 6).

The operations follow the definitions of the DARTS paper: a separable convolution is applied twice
(ReLU, depthwise k x k, pointwise 1x1, BatchNorm, repeated with stride 1), a dilated convolution is
ReLU, depthwise k x k with dilation 2, pointwise 1x1, BatchNorm; a "skip connection" in a reduction
cell is a factorized reduction (two 1x1 stride-2 convolutions on offset inputs, concatenated).
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

AMOEBANET_A = dict(
    normal=[("avg_pool_3x3", 0), ("max_pool_3x3", 1), ("sep_conv_3x3", 0), ("sep_conv_5x5", 2),
            ("sep_conv_3x3", 0), ("avg_pool_3x3", 3), ("sep_conv_3x3", 1), ("skip_connect", 1),
            ("skip_connect", 0), ("avg_pool_3x3", 1)],
    normal_concat=[4, 5, 6],
    reduce=[("avg_pool_3x3", 0), ("sep_conv_3x3", 1), ("max_pool_3x3", 0), ("sep_conv_7x7", 2),
            ("sep_conv_7x7", 0), ("avg_pool_3x3", 1), ("max_pool_3x3", 0), ("max_pool_3x3", 1),
            ("conv_7x1_1x7", 0), ("sep_conv_3x3", 5)],
    reduce_concat=[3, 4, 6],
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
