"""The fixed version of probe_double_softmax.py: forward returns logits and nn.CrossEntropyLoss applies the
softmax once. Clean: the overfit probe memorises a batch of random labels."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class LogitsClassifier(nn.Module):
    def __init__(self, in_features: int = 32, hidden: int = 64, classes: int = 10):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.fc2 = nn.Linear(hidden, classes)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        return self.fc2(x)


def train(model, loader, epochs: int = 5):
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
