"""A tabular classifier built as an nn.Sequential in which the second hidden layer has no activation:
Linear(64, 64) and Linear(64, 3) collapse into one map."""
import torch.nn as nn


class TabularNet(nn.Module):
    def __init__(self, n_features: int = 20):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_features, 64),
            nn.ReLU(),
            nn.Linear(64, 64),
            nn.Linear(64, 3),
        )

    def forward(self, x):
        return self.net(x)
