"""Hidden layers applied in a loop with no activation: all four collapse into one linear map, so the
"deep" network is a linear model with extra steps."""
import torch.nn as nn


class LinearStack(nn.Module):
    def __init__(self, width: int = 128, depth: int = 4):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(width, width) for _ in range(depth)])

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x
