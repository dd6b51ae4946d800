#!/usr/bin/env python3
"""Independent check of glyph-range PBFs with Google's protobuf runtime (PyPI `protobuf`).

The glyphs.proto schema is built in code (no protoc needed) as proto2, so parsing
fails on any missing `required` field, wrong wire type or truncated message.

    python3 glyphs/tests/decode_glyphs.py '/tmp/glyphs/Noto Sans Regular'/*.pbf
    python3 glyphs/tests/decode_glyphs.py --dump 65 '/tmp/glyphs/Noto Sans Regular/0-255.pbf'
"""

import os
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

F = descriptor_pb2.FieldDescriptorProto


def build_schema():
    file = descriptor_pb2.FileDescriptorProto(name="glyphs.proto", package="llmr.glyphs", syntax="proto2")

    def message(name, fields):
        m = file.message_type.add(name=name)
        for number, fname, ftype, label, type_name in fields:
            f = m.field.add(name=fname, number=number, type=ftype, label=label)
            if type_name:
                f.type_name = type_name

    req, opt, rep = F.LABEL_REQUIRED, F.LABEL_OPTIONAL, F.LABEL_REPEATED
    message("glyph", [
        (1, "id", F.TYPE_UINT32, req, None),
        (2, "bitmap", F.TYPE_BYTES, opt, None),
        (3, "width", F.TYPE_UINT32, req, None),
        (4, "height", F.TYPE_UINT32, req, None),
        (5, "left", F.TYPE_SINT32, req, None),
        (6, "top", F.TYPE_SINT32, req, None),
        (7, "advance", F.TYPE_UINT32, req, None),
    ])
    message("fontstack", [
        (1, "name", F.TYPE_STRING, req, None),
        (2, "range", F.TYPE_STRING, req, None),
        (3, "glyphs", F.TYPE_MESSAGE, rep, ".llmr.glyphs.glyph"),
    ])
    message("glyphs", [(1, "stacks", F.TYPE_MESSAGE, rep, ".llmr.glyphs.fontstack")])
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("llmr.glyphs.glyphs"))


def check(path, glyphs_cls):
    msg = glyphs_cls()
    with open(path, "rb") as f:
        msg.ParseFromString(f.read())  # raises on missing required fields
    assert len(msg.stacks) == 1, f"{path}: {len(msg.stacks)} fontstacks"
    stack = msg.stacks[0]
    start, end = (int(x) for x in os.path.basename(path)[: -len(".pbf")].split("-"))
    assert stack.range == f"{start}-{end}", (path, stack.range)
    ids = [g.id for g in stack.glyphs]
    assert ids == sorted(set(ids)), f"{path}: ids not ascending/unique"
    for g in stack.glyphs:
        assert start <= g.id <= end, (path, g.id)
        if g.width:
            assert len(g.bitmap) == (g.width + 6) * (g.height + 6), (path, g.id)
        else:
            assert not g.HasField("bitmap"), (path, g.id)
    return stack


def main(argv):
    glyphs_cls = build_schema()
    dump = None
    if argv[:1] == ["--dump"]:
        dump, argv = int(argv[1]), argv[2:]
    total = 0
    for path in argv:
        stack = check(path, glyphs_cls)
        total += len(stack.glyphs)
        for g in stack.glyphs:
            if g.id == dump:
                print(f"{stack.name} U+{g.id:04X} width={g.width} height={g.height} "
                      f"left={g.left} top={g.top} advance={g.advance}")
                w = g.width + 6
                for row in range(g.height + 6):
                    line = g.bitmap[row * w:(row + 1) * w]
                    print("".join("#" if v > 191 else "+" if v > 96 else "." if v else " " for v in line))
    print(f"{len(argv)} files, {total} glyphs: all parsed as proto2 glyphs with every required field")


if __name__ == "__main__":
    main(sys.argv[1:])
