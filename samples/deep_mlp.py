"""A deep MLP whose hidden layers live in a ModuleList and are applied in a loop, each followed by GELU. Clean."""
import torch.nn as nn
import torch.nn.functional as F


class DeepMLP(nn.Module):
    def __init__(self, d_in=64, width=128, depth=4, d_out=1):
        super().__init__()
        self.inp = nn.Linear(d_in, width)
        self.hidden = nn.ModuleList([nn.Linear(width, width) for _ in range(depth)])
        self.out = nn.Linear(width, d_out)

    def forward(self, x):
        x = F.gelu(self.inp(x))
        for layer in self.hidden:
            x = F.gelu(layer(x))
        return self.out(x)
