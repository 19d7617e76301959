"""An MNIST classifier whose second hidden layer lost its activation.

fc2 and fc3 compose into a single linear map, so the network is really a
one-hidden-layer MLP. It still trains to a decent accuracy, which is why
nobody notices.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class MissingReluMLP(nn.Module):
    def __init__(self, in_features: int = 784, hidden: int = 256, classes: int = 10):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.fc2 = nn.Linear(hidden, 128)
        self.fc3 = nn.Linear(128, classes)

    def forward(self, x):
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.fc2(x)
        return self.fc3(x)
