"""Read and write the safetensors format with json, struct and numpy only.

The twin of nn/safetensors.ts (Debian packages no `safetensors`):

    [8 bytes]  N, the header length, unsigned little-endian 64-bit
    [N bytes]  JSON: {"__metadata__": {str: str}?,
                      name: {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}
               padded with spaces so the data starts 8-byte aligned
    [rest]     the tensors' little-endian bytes; offsets count from the start of this part

Reading checks the whole header (every dtype, shape and offset, contiguous, nothing missing or
left over) before it builds any array, so a truncated or corrupt file is refused as a whole,
with a message naming the tensor at fault. Writing lays tensors out as the reference
implementation and our TypeScript writer do (widest dtype first, then by name) and is atomic
(`<path>.tmp`, then renamed).
"""

import json
import os
import struct

import numpy as np

# safetensors' dtype names, in the reference implementation's enum order (saving sorts by it,
# widest first); the same list as nn/safetensors.ts.
DTYPES = {
    "U8": np.dtype("<u1"),
    "I8": np.dtype("<i1"),
    "I16": np.dtype("<i2"),
    "I32": np.dtype("<i4"),
    "F32": np.dtype("<f4"),
    "F64": np.dtype("<f8"),
    "I64": np.dtype("<i8"),
}
RANK = {name: i for i, name in enumerate(DTYPES)}
MAX_HEADER = 100_000_000  # the reference implementation's limit


class SafetensorsError(ValueError):
    """A safetensors file that cannot be read: the message says which part and why."""


def _corrupt(source, why):
    return SafetensorsError(f"Cannot load safetensors from {source}: {why}")


def _parse_header(data, source):
    if len(data) < 8:
        raise _corrupt(source, f"it has {len(data)} bytes, fewer than the 8-byte header length")
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER:
        raise _corrupt(source, f"the header length {n} exceeds {MAX_HEADER}: not a safetensors file")
    if 8 + n > len(data):
        raise _corrupt(
            source,
            f"the file is truncated: the header needs {n} bytes but only {len(data) - 8} follow",
        )
    try:
        header = json.loads(data[8 : 8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise _corrupt(source, f"the header is not valid UTF-8 JSON ({e})") from None
    if not isinstance(header, dict):
        raise _corrupt(source, "the header is not a JSON object")
    return header, 8 + n


def _parse_entry(name, info, source):
    where = f'tensor "{name}"'
    if not isinstance(info, dict):
        raise _corrupt(source, f"{where} is not an object")
    dtype = info.get("dtype")
    if dtype not in DTYPES:
        raise _corrupt(source, f"{where} has dtype {json.dumps(dtype)}; supported: {','.join(DTYPES)}")
    shape = info.get("shape")
    if not isinstance(shape, list) or not all(
        isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape
    ):
        raise _corrupt(source, f"{where} has shape {json.dumps(shape)}, not a list of sizes")
    off = info.get("data_offsets")
    if not (
        isinstance(off, list)
        and len(off) == 2
        and all(isinstance(o, int) and not isinstance(o, bool) and o >= 0 for o in off)
    ):
        raise _corrupt(source, f"{where} has data_offsets {json.dumps(off)}, not [begin, end]")
    want = int(np.prod(shape, dtype=np.int64)) * DTYPES[dtype].itemsize
    if off[1] - off[0] != want:
        raise _corrupt(source, f"{where} spans {off[1] - off[0]} bytes but {dtype} {shape} needs {want}")
    return {"name": name, "dtype": dtype, "shape": shape, "begin": off[0], "end": off[1]}


def decode(data, source="buffer"):
    """Parses safetensors bytes into ({name: numpy array}, {metadata}), in data order.

    Every check runs before any array is built; `source` names the bytes in error messages.
    """
    header, start = _parse_header(bytes(data), source)
    metadata = header.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise _corrupt(source, "__metadata__ is not an object of strings")
    entries = sorted(
        (_parse_entry(name, info, source) for name, info in header.items()),
        key=lambda e: (e["begin"], e["end"]),
    )
    data_length = len(data) - start
    expected = 0
    for e in entries:
        if e["begin"] != expected:
            raise _corrupt(
                source,
                f'tensor "{e["name"]}" starts at byte {e["begin"]} but the previous one ends at '
                f"{expected} (offsets must be contiguous, without overlap)",
            )
        if e["end"] > data_length:
            raise _corrupt(
                source,
                f'the file is truncated: tensor "{e["name"]}" needs data bytes {e["begin"]} to '
                f"{e['end']} but only {data_length} bytes of data are present",
            )
        expected = e["end"]
    if expected < data_length:
        raise _corrupt(source, f"{data_length - expected} bytes follow the last tensor's data")
    tensors = {}
    for e in entries:
        raw = data[start + e["begin"] : start + e["end"]]
        tensors[e["name"]] = np.frombuffer(raw, DTYPES[e["dtype"]]).reshape(e["shape"]).copy()
    return tensors, dict(metadata)


def load_file(path):
    """Reads and checks a safetensors file; see `decode`."""
    with open(path, "rb") as f:
        return decode(f.read(), f'"{path}"')


def _dtype_name(name, array):
    for dtype_name, dtype in DTYPES.items():
        if array.dtype.newbyteorder("<") == dtype:
            return dtype_name
    raise TypeError(
        f'Cannot save tensor "{name}": dtype {array.dtype} is not supported '
        f"(use float32, float64, int64, int32, int16, int8 or uint8)"
    )


def encode(tensors, metadata=None):
    """Serialises {name: numpy array or torch tensor} and string metadata to bytes."""
    arrays = []
    for name, t in tensors.items():
        a = t.detach().cpu().numpy() if hasattr(t, "detach") else np.asarray(t)
        arrays.append((name, _dtype_name(name, a), np.ascontiguousarray(a)))
    arrays.sort(key=lambda e: (-RANK[e[1]], e[0]))
    header = {}
    for k, v in (metadata or {}).items():
        if not isinstance(v, str):
            raise TypeError(f'Cannot save metadata "{k}": values must be strings, got {type(v).__name__}')
    if metadata:
        header["__metadata__"] = dict(metadata)
    offset = 0
    for name, dtype, a in arrays:
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    parts = [struct.pack("<Q", len(text)), text]
    parts += [a.astype(DTYPES[dtype], copy=False).tobytes() for _, dtype, a in arrays]
    return b"".join(parts)


def save_file(path, tensors, metadata=None):
    """Writes tensors and metadata to `path` atomically: `<path>.tmp` first, then renamed."""
    data = encode(tensors, metadata)
    tmp = f"{path}.tmp"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
