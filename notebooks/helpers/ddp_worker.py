"""The function each process runs in the DistributedDataParallel example of notebooks/distributed.py.

`torch.multiprocessing.spawn` starts fresh Python processes that import the function to run, so
it has to live in an importable module rather than in a notebook cell.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel


def data_parallel_step(rank: int, world_size: int, init_file: str, result_dir: str,
                       initial: dict, inputs: np.ndarray, targets: np.ndarray, learning_rate: float) -> None:
    """One SGD step on this rank's shard of the batch; gradients are averaged over all ranks."""
    torch.set_num_threads(1)  # one thread per process: the processes share the machine's cores
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world_size)
    try:
        model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
        with torch.no_grad():
            for layer, w, b in ((model[0], "w1", "b1"), (model[2], "w2", "b2")):
                layer.weight.copy_(torch.tensor(initial[w].T))
                layer.bias.copy_(torch.tensor(initial[b]))
        ddp_model = DistributedDataParallel(model)  # broadcasts rank 0's weights, then all-reduces gradients
        optimizer = torch.optim.SGD(ddp_model.parameters(), lr=learning_rate)

        shard = slice(rank * len(inputs) // world_size, (rank + 1) * len(inputs) // world_size)
        x, y = torch.tensor(inputs[shard]), torch.tensor(targets[shard])
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(ddp_model(x), y)  # the mean over this rank's shard
        loss.backward()  # DDP averages the gradients over the ranks during the backward pass
        optimizer.step()

        global_loss = loss.detach().clone()
        dist.all_reduce(global_loss)  # sum over ranks; divided below, for reporting only
        np.savez(f"{result_dir}/rank{rank}.npz", loss=global_loss.numpy() / world_size,
                 w1=model[0].weight.detach().numpy().T, b1=model[0].bias.detach().numpy(),
                 w2=model[2].weight.detach().numpy().T, b2=model[2].bias.detach().numpy())
    finally:
        dist.destroy_process_group()
