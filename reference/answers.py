"""Answers to the self-check questions that are not code, each with its derivation."""

# Q1 (predict). x = [1, -1], W1 = [[2, 0], [0, 2]], b1 = [0, 0], ReLU, W2 = [1, 1], b2 = 0.
#   z1 = W1 @ x + b1 = [2*1 + 0*(-1), 0*1 + 2*(-1)] = [2, -2]
#   a1 = relu(z1)    = [2, 0]          (the second unit is switched off by the ReLU)
#   z2 = W2 @ a1 + b2 = 1*2 + 1*0 + 0 = 2   (linear output, so this is the answer)
Q1_ANSWER = 2.0

# Q4 (predict). sigmoid(z) = 1 / (1 + exp(-z)) lies strictly inside (0, 1) for every finite
# z, and it acts on each entry on its own, so nothing ties the three outputs together:
# sigmoid([0, 0, 0]) = [0.5, 0.5, 0.5] sums to 1.5. A describes softmax; C describes tanh
# (and sigmoid(0) is 0.5, not 0); D describes ReLU.
Q4_ANSWER = "B"

# Q7 (concept). L = f_n(...f_2(f_1(x; W1))...), so dL/dW1 is the product of the local
# derivatives of every layer after W1. Backprop multiplies them from the output backwards,
# and each layer's delta is reused by the layer below instead of being recomputed.
# A is wrong (the layers' gradients depend on one another), B is wrong (a step can raise the
# loss), C is wrong (backprop computes exact derivatives, not finite differences).
Q7_ANSWER = "D"
Q7_EXPLANATION = (
    "A network's loss is a chain of functions, one per layer, so by the chain rule the "
    "gradient for an early weight is a product of each later layer's local derivative. "
    "Backpropagation builds that product once, from the loss back to the input, passing each "
    "layer's delta down so no gradient is derived twice."
)

# Q8 (predict). The SGD step is w <- w - lr * grad. With lr = 10.0 each step jumps far past
# the minimum, so the loss bounces around or grows without bound; with lr = 0.0001 each step
# is tiny, so after a normal number of epochs the curve is nearly flat.
Q8_ANSWER = "C"

# Q11 (concept). The TD target y = r + gamma * max_a Q(s', a) depends on the network being
# trained. Computing it with a frozen copy theta^- that is refreshed only every C steps keeps
# the target fixed between refreshes, like a supervised label, instead of chasing itself.
# B, C and D are wrong: it adds no data, the online network still chooses the actions, and
# the replay buffer is a separate, complementary idea.
Q11_ANSWER = "A"
Q11_EXPLANATION = (
    "If the online network also produced the TD targets, every update would move the targets "
    "it is trying to reach. A frozen copy that is only synced every C steps keeps the targets "
    "still in between, which makes training much more stable."
)

# Q12 (predict). With L_reg = L + (lam/2) * ||w||^2 the gradient is grad + lam * w, so one
# SGD step with learning rate lr is
#   w <- w - lr * (grad + lam * w) = (1 - lr * lam) * w - lr * grad.
# With lr = lam = 0.01 the factor is 1 - 0.01 * 0.01 = 1 - 0.0001 = 0.9999 (weight decay).
Q12_ANSWER = 0.9999
