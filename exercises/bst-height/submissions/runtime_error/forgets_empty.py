def height(root):
    left = height(root.left) if root.left else 0
    right = height(root.right) if root.right else 0
    return 1 + max(left, right)
