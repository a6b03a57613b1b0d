"""Export Cosma's benchmark models as weightless ONNX graphs with static shapes everywhere.

Offline data tool (not part of the Swift package). Every graph comes from the real model definition:
torchvision / PyTorch modules, the `pretrainedmodels` NASNet-A Mobile and PNASNet-5 Large, and our own
module code for the published DARTS V2 (DARTS ImageNet network) and AmoebaNet-A (its own NASNet-style
ImageNet network) cells (tools/nas_cells.py).

Set-up (Python 3.11; from the repository root; tools/.venv is git-ignored):

    python3.11 -m venv tools/.venv
    tools/.venv/bin/pip install /opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl
    tools/.venv/bin/pip install -r tools/requirements.txt

(The torch wheel is the CPU build 2.13.0+cpu; any copy of that wheel works.) Then:

    tools/.venv/bin/python tools/export_models.py            # every model
    tools/.venv/bin/python tools/export_models.py resnet50   # some models
    tools/.venv/bin/python tools/export_models.py --verify   # also compare with onnxruntime

(--verify needs `pip install onnxruntime==1.31.1`: it runs each folded graph, weights still in,
in onnxruntime on a seeded random input and compares with the PyTorch module's output; relative
max error must be below 1e-3.)

Writes models/onnx/NAME.onnx and models/onnx/summary.json (per model: operator count, operator
histogram, parameter counts). Pipeline per model:

1. Build the module in eval() mode; fill every parameter and buffer with seeded random values
   (seed 0) so that no two weights are equal (the exporter de-duplicates identical constants into
   Identity nodes); BatchNorm running variances are drawn positive.
2. torch.onnx.export with the TorchScript exporter (dynamo=False), opset 17, constant folding,
   TrainingMode.EVAL, batch 1. BatchNorm directly after a convolution is folded into it.
3. Fold the traced size arithmetic (Shape of a statically shaped tensor, then Gather / Unsqueeze /
   Concat / ... on integer constants) into constants, repeatedly, with ONNX shape inference between
   rounds; turn the remaining Constant nodes into initializers (identical values shared: one
   tensor); drop dead nodes and initializers.
4. onnx.shape_inference.infer_shapes(strict_mode=True, data_prop=True); check that every graph input,
   output and node output has a fully static shape.
5. Strip the data of every initializer (dims and data_type kept, raw_data empty), except integer
   tensors of at most 64 elements (shape arguments of Reshape, Resize sizes, ...), which keep their
   values so that shape inference can be re-run on the file. Parameter counts count floating-point
   initializer elements only.
"""

import io
import json
import os
import sys
import types
from collections import Counter

# torchvision's compiled extension (PyPI wheel) is built against the CUDA torch and fails to load
# next to the CPU wheel; the model definitions do not need it. Register empty stand-ins first.
for _name in ("torchvision._meta_registrations", "torchvision._autograd_registrations"):
    sys.modules.setdefault(_name, types.ModuleType(_name))

import numpy as np
import onnx
from onnx import helper, numpy_helper, shape_inference
from onnx.reference import ReferenceEvaluator
import torch
from torch import nn
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nas_cells  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO, "models", "onnx")
OPSET = 17
IMAGE = (1, 3, 224, 224)
VIDEO = (1, 3, 16, 224, 224)
SEQ = 128

# ---------------------------------------------------------------------------------------------
# Model builders: each returns (module, example inputs tuple, input names, published parameters,
# note on the published figure).


def tv(name, **kwargs):
    return torchvision.models.get_model(name, weights=None, **kwargs)


class TransformerWithMask(nn.Module):
    """nn.Transformer with its defaults, fed embedded src/tgt [seq, batch, 512]; the causal target
    mask is a constant buffer, added to the decoder self-attention scores. tgt_is_causal=False stops
    nn.Transformer from recognising the mask as causal and switching to is_causal attention, which the
    exporter would expand into a mask rebuilt (Trilu/Equal/Where/Expand) in each of the 6 decoder
    layers; the computed function is the same."""

    def __init__(self, seq):
        super().__init__()
        self.transformer = nn.Transformer()
        self.register_buffer("tgt_mask", nn.Transformer.generate_square_subsequent_mask(seq), persistent=False)

    def forward(self, src, tgt):
        return self.transformer(src, tgt, tgt_mask=self.tgt_mask, tgt_is_causal=False)


def pretrained(name):
    import pretrainedmodels  # imported lazily: only the NAS models need it
    return pretrainedmodels.__dict__[name](num_classes=1000, pretrained=None)


def build_pnasnet():
    model = pretrained("pnasnet5large")
    # At 224x224 the last feature map is 7x7 (the network was designed for 331x331 -> 11x11).
    model.avg_pool = nn.AvgPool2d(7, stride=1, padding=0)
    return model


def build_transformer():
    return TransformerWithMask(SEQ)


MODELS = {
    # name: (builder, input shapes, input names, published parameters (millions), source of figure)
    "resnet50": (lambda: tv("resnet50"), [IMAGE], ["input"], 25.557032, "torchvision docs"),
    "densenet121": (lambda: tv("densenet121"), [IMAGE], ["input"], 7.978856, "torchvision docs"),
    "resnext50_32x4d": (lambda: tv("resnext50_32x4d"), [IMAGE], ["input"], 25.028904, "torchvision docs"),
    "r2plus1d_18": (lambda: tv("r2plus1d_18"), [VIDEO], ["input"], 31.505325, "torchvision docs"),
    "s3d": (lambda: tv("s3d"), [VIDEO], ["input"], 8.320048, "torchvision docs"),
    "fcn_resnet50": (lambda: tv("fcn_resnet50", weights_backbone=None, aux_loss=False), [IMAGE], ["input"], 32.9,
                     "torchvision docs 35.3 M minus the auxiliary head"),
    "lraspp_mobilenet_v3_large": (lambda: tv("lraspp_mobilenet_v3_large", weights_backbone=None), [IMAGE], ["input"],
                                  3.221538, "torchvision docs"),
    "deeplabv3_resnet50": (lambda: tv("deeplabv3_resnet50", weights_backbone=None, aux_loss=False), [IMAGE], ["input"],
                           39.6, "torchvision docs 42.0 M minus the auxiliary head"),
    "transformer": (build_transformer, [(SEQ, 1, 512), (SEQ, 1, 512)], ["src", "tgt"], None,
                    "computed from nn.Transformer defaults"),
    "vit_b_16": (lambda: tv("vit_b_16"), [IMAGE], ["input"], 86.567656, "torchvision docs"),
    "nasnet_a_mobile": (lambda: pretrained("nasnetamobile"), [IMAGE], ["input"], 5.3,
                        "Zoph et al. 2018, NASNet-A (4 @ 1056)"),
    "amoebanet": (lambda: nas_cells.AmoebaNetImageNet(nas_cells.AMOEBANET_A, filters=50, normal_per_stack=4),
                  [IMAGE], ["input"], 5.1, "Real et al. 2019, AmoebaNet-A mobile (N=4, F=50)"),
    "pnasnet5_large": (build_pnasnet, [IMAGE], ["input"], 86.1, "Liu et al. 2018, PNASNet-5 large"),
    "darts_v2": (lambda: nas_cells.NetworkImageNet(nas_cells.DARTS_V2, channels=48), [IMAGE], ["input"], 4.7,
                 "Liu et al. 2019, DARTS (second order) ImageNet"),
}

# ---------------------------------------------------------------------------------------------


def example_inputs(shapes):
    gen = torch.Generator().manual_seed(1)
    return tuple(torch.randn(s, generator=gen) for s in shapes)


def verify_numerics(model, onnx_model, shapes, input_names):
    """Run the folded (not yet stripped) graph in onnxruntime and compare with the PyTorch module."""
    import onnxruntime as ort  # optional dependency, only for --verify
    args = example_inputs(shapes)
    with torch.no_grad():
        expected = model(*args)
    if isinstance(expected, dict):  # torchvision segmentation models
        expected = expected["out"]
    session = ort.InferenceSession(onnx_model.SerializeToString(), providers=["CPUExecutionProvider"])
    got = session.run(None, {n: a.numpy() for n, a in zip(input_names, args)})[0]
    expected = expected.numpy()
    err = float(np.max(np.abs(got - expected)) / (np.max(np.abs(expected)) + 1e-12))
    if not err < 1e-3:
        raise RuntimeError(f"onnxruntime output differs from PyTorch: relative max error {err:.2e}")
    return err


def randomize(model, seed=0):
    """Seeded random values for every floating-point parameter and buffer."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in list(model.named_parameters()) + list(model.named_buffers()):
            if not t.is_floating_point():
                continue
            if name.endswith("running_var"):
                t.copy_(torch.rand(t.shape, generator=gen) + 0.5)
            elif name.endswith("mask"):
                continue
            else:
                t.copy_(torch.randn(t.shape, generator=gen) * 0.05)


def export(model, shapes, input_names):
    model.eval()
    args = example_inputs(shapes)
    buf = io.BytesIO()
    torch.backends.mha.set_fastpath_enabled(False)
    with torch.no_grad():
        torch.onnx.export(
            model, args, buf, dynamo=False, opset_version=OPSET, do_constant_folding=True,
            training=torch.onnx.TrainingMode.EVAL, input_names=input_names, output_names=["output"],
            dynamic_axes=None,
        )
    return onnx.load_from_string(buf.getvalue())


INT_TYPES = {onnx.TensorProto.INT64, onnx.TensorProto.INT32, onnx.TensorProto.BOOL,
             onnx.TensorProto.INT8, onnx.TensorProto.UINT8, onnx.TensorProto.INT16}
FOLDABLE = {"Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Slice", "Cast", "Mul", "Add", "Sub", "Div",
            "Floor", "Ceil", "Range", "Equal", "Where", "ConstantOfShape", "Reshape", "Sqrt", "ReduceProd",
            "Min", "Max", "Not", "Less", "Greater", "Neg", "Identity", "Constant", "Expand", "Size", "Mod",
            "Transpose", "Flatten"}
MAX_FOLDED_ELEMENTS = 4096


def static_shapes(model):
    """{value name: tuple of ints} for values whose shape is fully static."""
    out = {}
    g = model.graph
    for vi in list(g.input) + list(g.output) + list(g.value_info):
        t = vi.type.tensor_type
        if t.HasField("shape") and all(d.HasField("dim_value") for d in t.shape.dim):
            out[vi.name] = tuple(d.dim_value for d in t.shape.dim)
    for init in g.initializer:
        out[init.name] = tuple(init.dims)
    return out


def fold_size_arithmetic(model):
    """Replace Shape-of-static-tensor and integer arithmetic on constants by initializers."""
    total = 0
    while True:
        model = shape_inference.infer_shapes(model, data_prop=True)
        g = model.graph
        shapes = static_shapes(model)
        consts = {}
        for init in g.initializer:
            if init.data_type in INT_TYPES or np.prod(init.dims, dtype=np.int64) <= 1:
                consts[init.name] = numpy_helper.to_array(init)
        folded = {}
        keep = []
        for node in g.node:
            values = None
            if node.op_type == "Shape" and node.input[0] in shapes:
                shape = np.array(shapes[node.input[0]], dtype=np.int64)
                attrs = {a.name: a.i for a in node.attribute}
                start, end = attrs.get("start", 0), attrs.get("end", len(shape))
                values = [shape[start:end]]
            elif node.op_type == "Constant":
                value = ReferenceEvaluator(node).run(None, {})[0]
                if np.asarray(value).size <= MAX_FOLDED_ELEMENTS and (
                        np.asarray(value).dtype.kind in "iub" or np.asarray(value).size <= 1):
                    values = [value]
            elif node.op_type in FOLDABLE and all(i == "" or i in consts for i in node.input):
                feeds = {i: consts[i] for i in node.input if i}
                try:
                    values = ReferenceEvaluator(node).run(None, feeds)
                except Exception:  # noqa: BLE001 - leave anything the reference evaluator rejects
                    values = None
                if values is not None and any(np.asarray(v).size > MAX_FOLDED_ELEMENTS for v in values):
                    values = None
            if values is None:
                keep.append(node)
                continue
            for name, value in zip(node.output, values):
                value = np.asarray(value)
                consts[name] = value
                folded[name] = value
        if not folded:
            break
        total += len(folded)
        del g.node[:]
        g.node.extend(keep)
        for name, value in folded.items():
            g.initializer.append(numpy_helper.from_array(value, name))
        # Forget stale value_info of folded values (initializers carry their own type).
        stale = [vi for vi in g.value_info if vi.name in folded]
        for vi in stale:
            g.value_info.remove(vi)
        model = remove_dead(model)
    return model, total


def constants_to_initializers(model):
    """Turn the remaining (large, floating-point) Constant nodes into initializers, one per distinct
    value: the exporter copies a constant buffer into every operator that reads it (the transformer's
    causal mask becomes six identical Constant nodes); as one initializer it is one tensor read by
    six operators, like the module's single buffer."""
    g = model.graph
    canonical, rename, keep, converted = {}, {}, [], 0
    for node in g.node:
        attrs = {a.name: a for a in node.attribute}
        if node.op_type != "Constant" or "value" not in attrs:
            keep.append(node)
            continue
        value = numpy_helper.to_array(attrs["value"].t)
        key = (value.dtype.str, value.shape, value.tobytes())
        if key not in canonical:
            canonical[key] = node.output[0]
            g.initializer.append(numpy_helper.from_array(value, node.output[0]))
        rename[node.output[0]] = canonical[key]
        converted += 1
    for node in keep:
        for k, name in enumerate(node.input):
            if name in rename:
                node.input[k] = rename[name]
    del g.node[:]
    g.node.extend(keep)
    for o in g.output:
        if o.name in rename and rename[o.name] != o.name:
            raise RuntimeError("a graph output is a Constant")
    return model, converted


def remove_dead(model):
    g = model.graph
    needed = {o.name for o in g.output}
    live = []
    for node in reversed(g.node):
        if any(o in needed for o in node.output):
            live.append(node)
            needed.update(i for i in node.input if i)
    live.reverse()
    del g.node[:]
    g.node.extend(live)
    inits = [i for i in g.initializer if i.name in needed]
    del g.initializer[:]
    g.initializer.extend(inits)
    vis = [vi for vi in g.value_info if vi.name in needed]
    del g.value_info[:]
    g.value_info.extend(vis)
    return model


def check_static(model):
    shapes = static_shapes(model)
    g = model.graph
    missing = [o.name for o in g.input if o.name not in shapes]
    missing += [o.name for o in g.output if o.name not in shapes]
    for node in g.node:
        missing += [f"{node.op_type}:{o}" for o in node.output if o and o not in shapes]
    if missing:
        raise RuntimeError(f"{len(missing)} values without a static shape, e.g. {missing[:5]}")


def strip_weights(model):
    """Keep dims and data_type of every initializer, drop the data (except small integer tensors)."""
    params = 0
    kept_small = 0
    for init in model.graph.initializer:
        n = int(np.prod(init.dims, dtype=np.int64))
        if init.data_type in INT_TYPES and n <= 64:
            kept_small += 1
            continue
        if init.data_type not in INT_TYPES:
            params += n
        for field in ("raw_data", "float_data", "int32_data", "int64_data", "double_data", "uint64_data",
                      "string_data"):
            init.ClearField(field)
    return params, kept_small


def export_one(name, verify=False):
    builder, shapes, input_names, published, source = MODELS[name]
    torch.manual_seed(0)
    model = builder().eval()
    randomize(model)
    torch_params = sum(p.numel() for p in model.parameters())
    bn_vectors = sum(m.num_features * 2 for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm))
    onnx_model = export(model, shapes, input_names)
    exported_nodes = len(onnx_model.graph.node)
    onnx_model, folded = fold_size_arithmetic(onnx_model)
    onnx_model, constants = constants_to_initializers(onnx_model)
    onnx_model = remove_dead(onnx_model)
    del onnx_model.graph.value_info[:]
    onnx_model = shape_inference.infer_shapes(onnx_model, strict_mode=True, data_prop=True)
    check_static(onnx_model)
    onnx.checker.check_model(onnx_model, full_check=True)
    numeric_error = verify_numerics(model, onnx_model, shapes, input_names) if verify else None
    params, kept_small = strip_weights(onnx_model)
    onnx_model.producer_name = "cosma tools/export_models.py"
    onnx_model.doc_string = (f"{name}: weightless export (initializer data stripped); torch {torch.__version__}, "
                             f"torchvision {torchvision.__version__}, onnx {onnx.__version__}, opset {OPSET}")
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, f"{name}.onnx")
    onnx.save(onnx_model, path)
    ops = Counter(n.op_type for n in onnx_model.graph.node)
    if published is None:
        published = torch_params / 1e6
    info = dict(
        name=name,
        operators=len(onnx_model.graph.node),
        exported_operators=exported_nodes,
        folded_values=folded,
        constants_to_initializers=constants,
        op_histogram=dict(sorted(ops.items(), key=lambda kv: -kv[1])),
        onnx_parameters=params,
        torch_parameters=torch_params,
        batchnorm_affine_parameters=bn_vectors,
        published_millions=published,
        published_source=source,
        torch_vs_published=torch_params / (published * 1e6) - 1,
        onnx_vs_published=params / (published * 1e6) - 1,
        initializers=len(onnx_model.graph.initializer),
        small_int_initializers_kept=kept_small,
        inputs={i.name: [d.dim_value for d in i.type.tensor_type.shape.dim] for i in onnx_model.graph.input},
        outputs={o.name: [d.dim_value for d in o.type.tensor_type.shape.dim] for o in onnx_model.graph.output},
        file_bytes=os.path.getsize(path),
    )
    if verify:
        info["onnxruntime_relative_max_error"] = numeric_error
    if verify:
        print(f"{name}: onnxruntime vs PyTorch relative max error {numeric_error:.2e}")
    print(f"{name:28s} ops {info['operators']:5d}  onnx params {params/1e6:8.3f} M  torch params "
          f"{torch_params/1e6:8.3f} M  published {published:7.3f} M  onnx {info['onnx_vs_published']*100:+6.2f}%  "
          f"torch {info['torch_vs_published']*100:+6.2f}%  {info['file_bytes']/1024:.0f} KiB", flush=True)
    return info


def main(argv):
    verify = "--verify" in argv
    argv = [a for a in argv if a != "--verify"]
    names = argv or list(MODELS)
    summary_path = os.path.join(OUT_DIR, "summary.json")
    summary = {}
    if os.path.exists(summary_path):
        with open(summary_path) as f:
            summary = json.load(f)
    failures = []
    for name in names:
        try:
            summary[name] = export_one(name, verify)
        except Exception as e:  # noqa: BLE001 - report and continue with the other models
            failures.append(name)
            print(f"{name}: FAILED: {type(e).__name__}: {e}", flush=True)
        os.makedirs(OUT_DIR, exist_ok=True)
        with open(summary_path, "w") as f:
            json.dump({k: summary[k] for k in MODELS if k in summary}, f, indent=1)
            f.write("\n")
    print(f"versions: torch {torch.__version__}, torchvision {torchvision.__version__}, onnx {onnx.__version__}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
