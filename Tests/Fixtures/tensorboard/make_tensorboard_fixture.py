"""Writes python.tfevents with TensorBoard's own protos and record writer, and python.json
with the scalars it holds, for ChartCLIPTensorBoardTests; with --check FILE..., reads event
files (ChartCLIP's) with TensorBoard's EventAccumulator and prints their scalars.

    /tmp/ref/bin/pip install tensorboard
    /tmp/ref/bin/python Tests/Fixtures/tensorboard/make_tensorboard_fixture.py
    /tmp/ref/bin/python Tests/Fixtures/tensorboard/make_tensorboard_fixture.py --check experiments/NAME/RUN_ID
"""
import json
import os
import sys

from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.summary.writer.record_writer import RecordWriter

HERE = os.path.dirname(os.path.abspath(__file__))


def write_fixture():
    scalars = []
    path = os.path.join(HERE, "python.tfevents")
    with open(path, "wb") as f:
        writer = RecordWriter(f)
        version = event_pb2.Event(wall_time=1765000000.0, file_version="brain.Event:2")
        writer.write(version.SerializeToString())
        for step in (1, 2, 3, 10, 1000):
            values = {"train/loss": 2.5 / step, "train/lr": 1e-3 * step / 1000, "val/zero_shot_setup_accuracy": 0.1 + step / 2000}
            summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=t, simple_value=v) for t, v in values.items()])
            wall = 1765000000.0 + step * 0.25
            writer.write(event_pb2.Event(wall_time=wall, step=step, summary=summary).SerializeToString())
            for t, v in values.items():
                # The float32 value the file holds, as its bits round-trip.
                stored = summary_pb2.Summary.Value.FromString(summary_pb2.Summary.Value(tag=t, simple_value=v).SerializeToString()).simple_value
                scalars.append({"tag": t, "step": step, "wall_time": wall, "value": stored})
        writer.flush()
    with open(os.path.join(HERE, "python.json"), "w") as f:
        json.dump({"file_version": "brain.Event:2", "scalars": scalars}, f, indent=1)
    print(f"wrote {path}: {len(scalars)} scalars")


def check(paths):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    for path in paths:
        acc = EventAccumulator(path)
        acc.Reload()
        tags = acc.Tags()["scalars"]
        print(f"{path}: {len(tags)} scalar tags")
        for tag in tags:
            events = acc.Scalars(tag)
            print(f"  {tag}: {len(events)} points, steps {events[0].step}-{events[-1].step}, last {events[-1].value:.6g}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--check":
        check(sys.argv[2:])
    else:
        write_fixture()
